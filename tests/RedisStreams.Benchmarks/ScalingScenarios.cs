using System.Diagnostics;
using System.Globalization;
using RedisStreams.Testing;
using RedisStreams.Transport;

namespace RedisStreams.Benchmarks;

/// <summary>
/// How consumption scales: one queue drained by 1, 2 or 4 consumer processes, and 1, 10 or 100 queues drained in
/// one process. The backlog is written first, so only consumption is timed. Consumers are the engine's receivers
/// with the adapters' default prefetch (16) and 16 handler loops each, acknowledging in the background.
/// </summary>
internal static class ScalingScenarios
{
    /// <summary>The argument that makes this program a consumer process of <see cref="ProcessesAsync"/>.</summary>
    public const string ConsumerMode = "scaling-consumer";

    const int Prefetch = 16;
    static readonly byte[] Payload = new byte[1024];

    /// <summary>Drains one queue of <paramref name="messages"/> with <paramref name="processes"/> consumer processes.</summary>
    /// <returns>Messages consumed per second, and the consumer processes' CPU seconds together.</returns>
    public static async Task<(double PerSecond, double CpuSeconds)> ProcessesAsync(RedisEndpoint redis, int processes, int messages)
    {
        var prefix = "bench-" + Guid.NewGuid().ToString("N")[..8];
        await using var client = await RedisStreamsClient.ConnectAsync(redis.ConnectionString, new RedisStreamsOptions { KeyPrefix = prefix });
        const string queue = "scaling";
        await client.ProvisionQueueAsync(queue);
        await FillAsync(client, [queue], messages);

        var consumers = new List<Process>();
        try
        {
            for (var i = 0; i < processes; i++)
            {
                consumers.Add(StartConsumer(redis.ConnectionString, prefix, queue));
            }

            // Every process connected and ready before the clock starts: start-up is not consumption.
            foreach (var consumer in consumers)
            {
                await ExpectLineAsync(consumer, "ready");
            }

            var clock = Stopwatch.StartNew();
            foreach (var consumer in consumers)
            {
                await consumer.StandardInput.WriteLineAsync("go");
                await consumer.StandardInput.FlushAsync();
            }

            await WaitUntilDrainedAsync(client, [queue]);
            var elapsed = clock.Elapsed;
            var cpu = 0.0;
            foreach (var consumer in consumers)
            {
                await consumer.StandardInput.WriteLineAsync("stop");
                await consumer.StandardInput.FlushAsync();
                cpu += double.Parse(await ExpectLineAsync(consumer, "cpu "), CultureInfo.InvariantCulture);
            }

            return (messages / elapsed.TotalSeconds, cpu);
        }
        finally
        {
            foreach (var consumer in consumers)
            {
                if (!consumer.WaitForExit(TimeSpan.FromSeconds(30)))
                {
                    consumer.Kill(entireProcessTree: true);
                }

                consumer.Dispose();
            }

            await client.DeleteQueueAsync(queue);
        }
    }

    /// <summary>Drains <paramref name="queues"/> queues holding <paramref name="messages"/> together, one receiver each, in this process.</summary>
    /// <returns>Messages consumed per second, and this process's CPU seconds while consuming.</returns>
    public static async Task<(double PerSecond, double CpuSeconds)> QueuesAsync(RedisEndpoint redis, int queues, int messages)
    {
        var prefix = "bench-" + Guid.NewGuid().ToString("N")[..8];
        await using var client = await RedisStreamsClient.ConnectAsync(redis.ConnectionString, new RedisStreamsOptions { KeyPrefix = prefix, PrefetchCount = Prefetch });
        var names = Enumerable.Range(0, queues).Select(i => $"scaling-{i}").ToList();
        foreach (var name in names)
        {
            await client.ProvisionQueueAsync(name);
        }

        await FillAsync(client, names, messages);
        var receivers = names.Select(n => client.CreateReceiver(n)).ToList();
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        foreach (var receiver in receivers)
        {
            await receiver.StartAsync();
        }

        // FillAsync deals the messages out in turn, so queue i holds this many; each receiver's loops stop at its own.
        var remaining = names.Select((_, i) => (messages / queues) + (i < messages % queues ? 1 : 0)).ToArray();
        var loops = receivers.SelectMany((r, i) => Enumerable.Range(0, Prefetch).Select(_ => Task.Run(() => ConsumeAsync(r, () => Interlocked.Decrement(ref remaining[i]) >= 0)))).ToList();
        await Task.WhenAll(loops);
        await WaitUntilDrainedAsync(client, names);
        var elapsed = clock.Elapsed;
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
        foreach (var receiver in receivers)
        {
            await receiver.DisposeAsync();
        }

        foreach (var name in names)
        {
            await client.DeleteQueueAsync(name);
        }

        return (messages / elapsed.TotalSeconds, cpu);
    }

    /// <summary>
    /// The consumer process: connects, says "ready", starts its receiver on "go", consumes until "stop", then
    /// stops its receiver and says its CPU time.
    /// </summary>
    public static async Task<int> RunConsumerAsync(string connection, string prefix, string queue)
    {
        await using var client = await RedisStreamsClient.ConnectAsync(connection, new RedisStreamsOptions { KeyPrefix = prefix, PrefetchCount = Prefetch });
        var receiver = client.CreateReceiver(queue);
        Console.WriteLine("ready");
        if (await Console.In.ReadLineAsync() != "go")
        {
            return 1;
        }

        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        await receiver.StartAsync();
        using var stop = new CancellationTokenSource();
        var loops = Enumerable.Range(0, Prefetch).Select(_ => Task.Run(() => ConsumeAsync(receiver, () => !stop.IsCancellationRequested, stop.Token))).ToList();
        while (await Console.In.ReadLineAsync() is { } line && line != "stop")
        {
        }

        await stop.CancelAsync();
        await Task.WhenAll(loops);
        await receiver.DisposeAsync();
        Console.WriteLine($"cpu {(Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds.ToString(CultureInfo.InvariantCulture)}");
        return 0;
    }

    static async Task ConsumeAsync(QueueReceiver receiver, Func<bool> more, CancellationToken stop = default)
    {
        try
        {
            while (more())
            {
                var message = await receiver.ReceiveAsync(Timeout.InfiniteTimeSpan, stop);
                if (message is null)
                {
                    return;
                }

                receiver.AckInBackground(message);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    static async Task FillAsync(RedisStreamsClient client, IReadOnlyList<string> queues, int messages)
    {
        var headers = new Dictionary<string, string> { ["MessageId"] = "x" };
        var batch = new List<(string, OutgoingMessage)>(1000);
        var sends = new List<Task>();
        for (var i = 0; i < messages; i++)
        {
            batch.Add((queues[i % queues.Count], new OutgoingMessage(headers, Payload)));
            if (batch.Count == 1000)
            {
                sends.Add(client.SendManyAsync([.. batch]));
                batch.Clear();
                if (sends.Count == 8)
                {
                    await Task.WhenAll(sends);
                    sends.Clear();
                }
            }
        }

        sends.Add(client.SendManyAsync(batch));
        await Task.WhenAll(sends);
    }

    /// <summary>Waits until every entry was acknowledged (and so deleted); fails when that stops progressing for a minute.</summary>
    static async Task WaitUntilDrainedAsync(RedisStreamsClient client, IReadOnlyList<string> queues)
    {
        var last = long.MaxValue;
        var since = Stopwatch.GetTimestamp();
        while (true)
        {
            long left = 0;
            foreach (var queue in queues)
            {
                left += (await client.GetQueueStatisticsAsync(queue)).Length;
            }

            if (left == 0)
            {
                return;
            }

            if (left < last)
            {
                (last, since) = (left, Stopwatch.GetTimestamp());
            }
            else if (Stopwatch.GetElapsedTime(since) > TimeSpan.FromMinutes(1))
            {
                throw new TimeoutException($"Stalled: {left:N0} messages left, none consumed in the last minute.");
            }

            await Task.Delay(10);
        }
    }

    static Process StartConsumer(string connection, string prefix, string queue)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };

        // Run as this program was run: "dotnet path.dll" or the apphost.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(typeof(ScalingScenarios).Assembly.Location);
        }

        foreach (var argument in new[] { ConsumerMode, connection, prefix, queue })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start a consumer process.");
        OrphanGuard.Watch(process, directory: null);
        return process;
    }

    static async Task<string> ExpectLineAsync(Process process, string prefix)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line[prefix.Length..];
            }
        }

        throw new InvalidOperationException($"A consumer process exited without saying '{prefix.Trim()}'.");
    }
}
