namespace RedisStreams.Chaos.Scenarios;

/// <summary>Reads what the workers' ledgers gained since the last look, so the runner knows when each id was first consumed.</summary>
internal sealed class LedgerTail(string directory)
{
    readonly Dictionary<string, long> _offsets = new(StringComparer.Ordinal);

    /// <summary>The ids appended (as whole lines) since the previous call.</summary>
    public List<string> ReadNew()
    {
        var ids = new List<string>();
        foreach (var file in Directory.EnumerateFiles(directory, "*.ledger"))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var offset = _offsets.GetValueOrDefault(file);
            if (stream.Length <= offset)
            {
                continue;
            }

            stream.Position = offset;
            var bytes = new byte[stream.Length - offset];
            stream.ReadExactly(bytes);
            // Only complete lines: a line being written is read next time.
            var end = Array.LastIndexOf(bytes, (byte)'\n');
            if (end < 0)
            {
                continue;
            }

            _offsets[file] = offset + end + 1;
            ids.AddRange(System.Text.Encoding.UTF8.GetString(bytes, 0, end).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }

        return ids;
    }
}
