using System.Text;
using System.Text.Json;
using k8s.Models;
using Xunit;

namespace Edge.Kubernetes.Tests;

/// <summary>
/// <see cref="ListReader.Read{T}"/>: a list page read in one pass, whatever order the API server writes its fields
/// in, with unknown fields skipped at any depth, and a clear error for what is not a list.
/// </summary>
public sealed class ListReaderTests
{
    private static ListPage<V1Ingress> Read(string json) => ListReader.Read<V1Ingress>(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Items_metadata_and_the_continue_token_are_read_in_any_order_and_unknown_fields_are_skipped()
    {
        var page = Read("""
            {"kind":"IngressList","apiVersion":"networking.k8s.io/v1",
             "items":[
               {"metadata":{"name":"a","namespace":"ns","resourceVersion":"7","annotations":{"x":"1"}},
                "spec":{"rules":[{"host":"a.example.com"}]},"status":{"loadBalancer":{}},"future":{"deep":[[{"x":[1,{}]}]]}},
               {"metadata":{"name":"b","namespace":"ns"}}],
             "unknown":{"items":[{"metadata":{"name":"not-an-item"}}],"metadata":{"resourceVersion":"1"}},
             "metadata":{"resourceVersion":"42","continue":"next-page","remainingItemCount":3},
             "trailing":[1,2,3]}
            """);
        Assert.Equal(["a", "b"], page.Items.Select(i => i.Metadata.Name));
        Assert.Equal("a.example.com", page.Items[0].Spec.Rules[0].Host);
        Assert.Equal("1", page.Items[0].Metadata.Annotations["x"]);
        Assert.Equal("42", page.ResourceVersion);
        Assert.Equal("next-page", page.Continue);
    }

    [Fact]
    public void A_last_page_has_no_continue_token_and_null_or_missing_items_are_an_empty_page()
    {
        var last = Read("""{"metadata":{"resourceVersion":"5","continue":""},"items":null}""");
        Assert.Empty(last.Items);
        Assert.Equal("5", last.ResourceVersion);
        Assert.Null(last.Continue);
        var bare = Read("""{"metadata":null}""");
        Assert.Empty(bare.Items);
        Assert.Equal("", bare.ResourceVersion);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"list\"")]
    [InlineData("")]
    [InlineData("""{"items":[{"metadata":{"name":"a"}}""")]
    [InlineData("""{"items":[{"metadata":{"name":7}}]}""")]
    public void What_is_not_a_list_is_a_json_error(string json) =>
        Assert.ThrowsAny<JsonException>(() => Read(json));

    [Theory]
    [InlineData("""{"kind":"IngressList","metadata":{"resourceVersion":"4","continue":"next"},"items":[{"metadata":{"name":7}}]}""", true, "next")]
    [InlineData("""{"kind":"IngressList","unknown":{"items":[]},"metadata":{"continue":"after-unknown"},"items":[]}""", true, "after-unknown")]
    [InlineData("""{"metadata":{"resourceVersion":"4","continue":""},"items":[]}""", true, null)]
    [InlineData("""{"metadata":{"resourceVersion":"4"}}""", true, null)]
    [InlineData("""{"items":[],"metadata":{"continue":"late"}}""", false, null)]
    [InlineData("""{"metadata":null,"items":[]}""", false, null)]
    [InlineData("""{"metadata":{"continue":7},"items":[]}""", false, null)]
    [InlineData("""{"kind":"IngressList","meta""", false, null)]
    [InlineData("[]", false, null)]
    [InlineData("", false, null)]
    public void The_continue_token_is_read_early_only_from_metadata_ahead_of_the_items(string json, bool found, string? token)
    {
        Assert.Equal(found, ListReader.TryReadContinue(Encoding.UTF8.GetBytes(json), out var early));
        Assert.Equal(token, early);
    }
}
