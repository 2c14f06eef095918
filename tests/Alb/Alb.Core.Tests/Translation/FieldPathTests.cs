using Alb.Core.Translation;
using Xunit;

namespace Alb.Core.Tests.Translation;

public sealed class FieldPathTests
{
    [Fact]
    public void Spells_a_path_field_with_its_suffixes_in_order()
    {
        var field = FieldPath.OfPath(2, 13);
        Assert.Equal("spec.rules[2].http.paths[13]", field.ToString());
        Assert.Equal("spec.rules[2].http.paths[13].backend", field.Then(".backend").ToString());
        Assert.Equal("spec.rules[2].http.paths[13].backend.service", field.Then(".backend").Then(".service").ToString());
        Assert.Equal("spec.rules[2].http.paths[13].backend.service.port", field.Then(".backend").Then(".service").Then(".port").ToString());
    }

    [Fact]
    public void Keeps_a_plain_field_as_given()
    {
        FieldPath field = "spec.defaultBackend";
        Assert.Equal("spec.defaultBackend", field.ToString());
        Assert.Equal("spec.defaultBackend.service", field.Then(".service").ToString());
    }
}
