namespace RedisStreams.Benchmarks;

/// <summary>Draws the throughput table as a bar chart (PNG) for docs/performance.md.</summary>
internal static class Chart
{
    public static void Throughput(IReadOnlyList<Measurement> results, string title, string path)
    {
        var scenarios = results.GroupBy(r => r.Scenario).ToList();
        var medians = scenarios.Select(s => Stats.Median([.. s.Select(r => r.ConsumedPerSecond)])).ToArray();
        var plot = new ScottPlot.Plot();
        var bars = plot.Add.Bars(medians);
        bars.Horizontal = true;
        for (var i = 0; i < bars.Bars.Count; i++)
        {
            bars.Bars[i].Label = $"{medians[i]:N0}";
        }

        bars.ValueLabelStyle.FontSize = 14;
        var ticks = scenarios.Select((s, i) => new ScottPlot.Tick(i, s.Key)).ToArray();
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks);
        plot.Axes.Left.MinimumSize = 260;
        plot.Axes.Margins(left: 0, right: 0.15);
        plot.XLabel("messages consumed per second (median)");
        plot.Title(title);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        plot.SavePng(path, 1000, 560);
        Console.WriteLine($"Chart written to {path}");
    }
}
