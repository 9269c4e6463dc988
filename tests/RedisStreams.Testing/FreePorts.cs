using System.Net;
using System.Net.Sockets;

namespace RedisStreams.Testing;

/// <summary>Finds loopback ports nobody listens on.</summary>
public static class FreePorts
{
    /// <summary>A port free at the moment of asking.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A port whose cluster-bus twin (port + 10000) is free too.</summary>
    public static int NextForCluster()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var port = Random.Shared.Next(20000, 55000);
            if (IsFree(port) && IsFree(port + 10000))
            {
                return port;
            }
        }

        throw new InvalidOperationException("Found no free loopback port pair for a Redis Cluster node.");
    }

    static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
