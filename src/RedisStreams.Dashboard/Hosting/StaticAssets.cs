using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace RedisStreams.Dashboard.Hosting;

/// <summary>
/// The page, its script, styles and icon, read once from the assembly's embedded resources: nothing is fetched from
/// anywhere else, so the dashboard works offline. Served with an ETag and revalidated on every load, so an upgraded
/// package shows at once.
/// </summary>
internal sealed class StaticAssets
{
    const string ResourcePrefix = "RedisStreams.Dashboard.Assets.";

    readonly Dictionary<string, Asset> _assets = new(StringComparer.Ordinal);

    public StaticAssets()
    {
        var assembly = typeof(StaticAssets).Assembly;
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var bytes = buffer.ToArray();
            var name = resource[ResourcePrefix.Length..];
            _assets[name] = new Asset(bytes, ContentTypeOf(name), $"\"{Convert.ToHexString(SHA256.HashData(bytes))[..16]}\"");
        }
    }

    /// <summary>The names of every asset, for tests and checks.</summary>
    public IReadOnlyCollection<string> Names => _assets.Keys;

    /// <summary>Writes the asset, or 304 when the browser has it, or 404.</summary>
    public IResult Serve(HttpContext http, string name)
    {
        if (!_assets.TryGetValue(name, out var asset))
        {
            return Results.NotFound();
        }

        var headers = http.Response.Headers;
        headers.ETag = asset.ETag;
        headers.CacheControl = "no-cache";
        if (http.Request.Headers.IfNoneMatch.Any(tag => tag == asset.ETag))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return Results.Bytes(asset.Bytes, asset.ContentType);
    }

    static string ContentTypeOf(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        _ => "application/octet-stream",
    };

    sealed record Asset(byte[] Bytes, string ContentType, string ETag);
}
