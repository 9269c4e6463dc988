using System.Text;

namespace RedisStreams.Cli.Output;

/// <summary>A plain text table: columns padded to their widest cell, numbers right-aligned.</summary>
internal sealed class TextTable
{
    readonly string[] _headers;
    readonly bool[] _rightAligned;
    readonly List<string[]> _rows = [];

    public TextTable(params (string Header, bool RightAligned)[] columns)
    {
        _headers = [.. columns.Select(c => c.Header)];
        _rightAligned = [.. columns.Select(c => c.RightAligned)];
    }

    public void Add(params string[] cells) => _rows.Add([.. cells.Select(Safe.Text)]);

    public IEnumerable<string> Lines()
    {
        var widths = _headers.Select((h, i) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Length))).ToArray();
        yield return Line(_headers, widths);
        foreach (var row in _rows)
        {
            yield return Line(row, widths);
        }
    }

    string Line(string[] cells, int[] widths)
    {
        var line = new StringBuilder();
        for (var i = 0; i < cells.Length; i++)
        {
            if (i > 0)
            {
                line.Append("  ");
            }

            var last = i == cells.Length - 1;
            line.Append(_rightAligned[i] ? cells[i].PadLeft(widths[i]) : last ? cells[i] : cells[i].PadRight(widths[i]));
        }

        return line.ToString().TrimEnd();
    }
}
