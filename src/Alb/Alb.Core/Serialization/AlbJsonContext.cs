using System.Text.Json;
using System.Text.Json.Serialization;
using Alb.Core.Diagnostics;
using Alb.Core.Explain;
using Alb.Core.Routing;

namespace Alb.Core.Serialization;

/// <summary>
/// Source-generated metadata of every type alb writes as JSON: the route table (its hash is the config hash), <c>alb
/// explain</c> and <c>alb validate</c>. Used through <see cref="AlbJson.Options"/>, which sets the rest of the shape.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(RouteTable))]
[JsonSerializable(typeof(Explanation))]
[JsonSerializable(typeof(ValidationReport))]
[JsonSerializable(typeof(IReadOnlyList<Diagnostic>))]
internal sealed partial class AlbJsonContext : JsonSerializerContext;
