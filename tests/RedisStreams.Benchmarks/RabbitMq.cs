using System.Net.Sockets;

namespace RedisStreams.Benchmarks;

/// <summary>Whether a RabbitMQ broker answers on localhost (scripts/benchmark.sh installs and starts one).</summary>
internal static class RabbitMq
{
    public static async Task<bool> AvailableAsync()
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await client.ConnectAsync(MassTransitScenarios.RabbitMqHost, 5672, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }
}
