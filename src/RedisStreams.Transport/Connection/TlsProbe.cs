using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace RedisStreams.Transport.Connection;

/// <summary>
/// Tells a TLS connection that failed because the server does not speak TLS: such a server stays silent during
/// the handshake, so the client only sees a timeout and would blame certificates or passwords. A plain-text
/// <c>PING</c> on the same port answers with a RESP reply (<c>+PONG</c>, <c>-NOAUTH ...</c>) only if the server
/// speaks plain text there.
/// </summary>
internal static class TlsProbe
{
    public static async Task<EndPoint?> FindPlainTextEndPointAsync(ConfigurationOptions configuration, TimeSpan timeout)
    {
        foreach (var endPoint in configuration.EndPoints)
        {
            if (await AnswersPlainTextAsync(endPoint, timeout).ConfigureAwait(false))
            {
                return endPoint;
            }
        }

        return null;
    }

    static async Task<bool> AnswersPlainTextAsync(EndPoint endPoint, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(endPoint, cancel.Token).ConfigureAwait(false);
            await socket.SendAsync("PING\r\n"u8.ToArray(), SocketFlags.None, cancel.Token).ConfigureAwait(false);
            var reply = new byte[1];
            var read = await socket.ReceiveAsync(reply, SocketFlags.None, cancel.Token).ConfigureAwait(false);
            return read == 1 && reply[0] is (byte)'+' or (byte)'-';
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
        {
            return false;
        }
    }
}
