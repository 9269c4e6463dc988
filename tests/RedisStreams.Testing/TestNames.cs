using System.Runtime.CompilerServices;

namespace RedisStreams.Testing;

/// <summary>Names that keep parallel tests apart on one Redis server.</summary>
public static class TestNames
{
    /// <summary>A fresh key prefix, e.g. <c>t-AckDeletes-3f2a9c</c>: every key a test makes starts with it.</summary>
    public static string UniquePrefix([CallerMemberName] string test = "")
    {
        var name = new string([.. test.Where(char.IsAsciiLetterOrDigit).Take(32)]);
        return $"t-{name}-{Guid.NewGuid().ToString("N")[..8]}";
    }
}
