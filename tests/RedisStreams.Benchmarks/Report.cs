namespace RedisStreams.Benchmarks;

/// <summary>Prints medians per scenario as a Markdown table, with ratios to a baseline measured in the same run.</summary>
internal static class Report
{
    public static void Throughput(IReadOnlyList<Measurement> results, string baseline)
    {
        var baseConsumed = Stats.Median([.. results.Where(r => r.Scenario == baseline).Select(r => r.ConsumedPerSecond)]);
        Console.WriteLine();
        Console.WriteLine($"| scenario | runs | sent msg/s (median) | consumed msg/s (median) | ratio to {baseline} | CPU s (median) | allocated KiB per message (median) | peak working set MiB (median) |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var scenario in results.GroupBy(r => r.Scenario))
        {
            var runs = scenario.ToList();
            var consumed = Stats.Median([.. runs.Select(r => r.ConsumedPerSecond)]);
            Console.WriteLine(
                $"| {scenario.Key} | {runs.Count} | {Stats.Median([.. runs.Select(r => r.SentPerSecond)]):N0} | {consumed:N0} | {consumed / baseConsumed:F2} | " +
                $"{Stats.Median([.. runs.Select(r => r.Cpu.TotalSeconds)]):F1} | {Stats.Median([.. runs.Select(r => r.AllocatedPerMessage / 1024)]):F1} | {Stats.Median([.. runs.Select(r => r.PeakWorkingSetBytes / 1048576.0)]):F0} |");
        }
    }
}
