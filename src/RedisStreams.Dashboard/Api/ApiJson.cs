using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace RedisStreams.Dashboard.Api;

/// <summary>
/// The API's JSON: camelCase, enums as text. The default encoder escapes <c>&lt; &gt; &amp; '</c> and non-ASCII, so even
/// a response opened directly in a browser tab cannot turn a header from Redis into markup.
/// </summary>
internal static class ApiJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static IResult Ok<T>(T value) => Results.Json(value, Options);

    public static IResult Error(int status, string error, string message) => Results.Json(new ErrorView(error, message), Options, statusCode: status);
}
