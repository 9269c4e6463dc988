namespace RedisStreams.Chaos;

/// <summary>
/// What a worker consumed: one line per handled message id, appended and flushed to the operating system
/// before the message is acknowledged, so a <c>kill -9</c> right after cannot lose the record.
/// </summary>
internal sealed class Ledger : IDisposable
{
    readonly FileStream _file;
    readonly Lock _lock = new();

    public Ledger(string path) =>
        _file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, 4096, FileOptions.None);

    public void Record(string id)
    {
        var line = System.Text.Encoding.UTF8.GetBytes(id + "\n");
        lock (_lock)
        {
            _file.Write(line);
            _file.Flush();
        }
    }

    public void Dispose() => _file.Dispose();

    /// <summary>Reads every worker's ledger: id → how many times it was handled.</summary>
    public static Dictionary<string, int> ReadAll(string directory)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(directory, "*.ledger"))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                if (line.Length > 0)
                {
                    counts[line] = counts.GetValueOrDefault(line) + 1;
                }
            }
        }

        return counts;
    }
}
