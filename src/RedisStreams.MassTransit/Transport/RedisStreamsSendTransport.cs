using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MassTransit;
using MassTransit.Context;
using MassTransit.Serialization;
using MassTransit.Transports;
using RedisStreams.MassTransit.Configuration;
using RedisStreams.MassTransit.Topology;
using RedisStreams.Transport;
using StackExchange.Redis;

namespace RedisStreams.MassTransit.Transport;

/// <summary>Creates send transports for queues and publish transports for message-type topics.</summary>
internal sealed class RedisStreamsSendTransportProvider : ISendTransportProvider, IPublishTransportProvider
{
    readonly RedisStreamsHostConfiguration _hostConfiguration;
    readonly RedisStreamsReceiveEndpointContext _context;

    public RedisStreamsSendTransportProvider(RedisStreamsHostConfiguration hostConfiguration, RedisStreamsReceiveEndpointContext context)
    {
        _hostConfiguration = hostConfiguration;
        _context = context;
    }

    public Uri NormalizeAddress(Uri address) => new RedisStreamsEndpointAddress(_hostConfiguration.HostAddress, address).ToUri();

    public Task<ISendTransport> GetSendTransport(Uri address)
    {
        var endpoint = new RedisStreamsEndpointAddress(_hostConfiguration.HostAddress, address);
        return Task.FromResult(Create(new RedisStreamsSendTransportContext(_hostConfiguration, _context, endpoint.Name, endpoint.IsTopic, links: [])));
    }

    public Task<ISendTransport> GetPublishTransport<T>(Uri? publishAddress)
        where T : class
    {
        var publish = _hostConfiguration.BusTopology.Configuration.Publish as RedisStreamsPublishTopology
            ?? throw new InvalidOperationException("The publish topology is not the Redis Streams one.");
        var topic = publish.TopicOf(typeof(T))
            ?? throw new ConfigurationException($"{TypeCache<T>.ShortName} is excluded from the topology and cannot be published.");
        var links = MessageTypeCache<T>.MessageTypes
            .Where(t => t != typeof(T))
            .Select(publish.TopicOf)
            .Where(t => t is not null && t != topic)
            .Select(t => t!)
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        return Task.FromResult(Create(new RedisStreamsSendTransportContext(_hostConfiguration, _context, topic, isTopic: true, links)));
    }

    ISendTransport Create(RedisStreamsSendTransportContext context)
    {
        var transport = new SendTransport<IClientContext>(context);
        _hostConfiguration.ConnectionSupervisor.AddSendAgent(transport);
        return transport;
    }
}

/// <summary>Writes messages to one queue, or publishes them to one topic's subscribers.</summary>
internal sealed class RedisStreamsSendTransportContext : BaseSendTransportContext, SendTransportContext<IClientContext>
{
    readonly RedisStreamsHostConfiguration _hostConfiguration;
    readonly ClientContextSupervisor _supervisor;
    readonly bool _isTopic;
    readonly string[] _links;
    volatile bool _linked;

    public RedisStreamsSendTransportContext(
        RedisStreamsHostConfiguration hostConfiguration,
        ReceiveEndpointContext endpointContext,
        string entityName,
        bool isTopic,
        string[] links)
        : base(hostConfiguration, endpointContext.Serialization)
    {
        _hostConfiguration = hostConfiguration;
        _supervisor = hostConfiguration.ConnectionSupervisor.CreateChild(forSending: true);
        EntityName = entityName;
        _isTopic = isTopic;
        _links = links;
    }

    public override string EntityName { get; }

    public override string ActivitySystem => "redis_streams";

    public void Probe(ProbeContext context) => context.Add(_isTopic ? "topic" : "queue", EntityName);

    public override IEnumerable<IAgent> GetAgentHandles() => [_supervisor];

    public Task Send(IPipe<IClientContext> pipe, CancellationToken cancellationToken = default) =>
        _hostConfiguration.Retry(() => _supervisor.Send(pipe, cancellationToken), cancellationToken, _supervisor.SendStopping);

    public override async Task<SendContext<T>> CreateSendContext<T>(T message, IPipe<SendContext<T>> pipe, CancellationToken cancellationToken)
    {
        var context = new MessageSendContext<T>(message, cancellationToken);
        await pipe.Send(context).ConfigureAwait(false);
        return context;
    }

    public Task<SendContext<T>> CreateSendContext<T>(IClientContext context, T message, IPipe<SendContext<T>> pipe, CancellationToken cancellationToken)
        where T : class =>
        CreateSendContext(message, pipe, cancellationToken);

    public async Task Send<T>(IClientContext transportContext, SendContext<T> sendContext)
        where T : class
    {
        var context = sendContext as MessageSendContext<T> ?? throw new ArgumentException("Invalid SendContext<T> type", nameof(sendContext));
        sendContext.CancellationToken.ThrowIfCancellationRequested();
        var message = OutgoingMessages.From(context);
        var client = transportContext.Client;
        if (_isTopic)
        {
            Activity.Current?.SetTag("messaging.destination.kind", "topic");
        }

        // The multiplexer reconnects by itself; a write cut off by a dropped connection is tried again
        // (at least once: a write whose reply was lost may arrive twice, never zero times).
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (_isTopic)
                {
                    if (!_linked)
                    {
                        foreach (var link in _links)
                        {
                            await client.Subscriptions.LinkTopicsAsync(EntityName, link).ConfigureAwait(false);
                        }

                        _linked = true;
                    }

                    await client.PublishAsync(EntityName, message, sendContext.CancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await client.SendAsync(EntityName, message, sendContext.CancellationToken).ConfigureAwait(false);
                }

                return;
            }
            catch (Exception e) when (IsTransient(e) && attempt < SendAttempts && !sendContext.CancellationToken.IsCancellationRequested)
            {
                LogContext.Debug?.Log(e, "Send to {EntityName} failed (attempt {Attempt}); retrying", EntityName, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2000, 50 * attempt * attempt)), sendContext.CancellationToken).ConfigureAwait(false);
            }
        }
    }

    const int SendAttempts = 10;

    static bool IsTransient(Exception e) => e switch
    {
        RedisConnectionException or RedisTimeoutException => true,

        // StackExchange.Redis surfaces a connection cut mid-write as the pipe's InvalidOperationException.
        ObjectDisposedException => false,
        InvalidOperationException => e.StackTrace?.Contains("StackExchange.Redis", StringComparison.Ordinal) == true,
        _ => false,
    };
}

/// <summary>Turns a MassTransit send context into an engine message: headers as text fields, the serialized body.</summary>
internal static class OutgoingMessages
{
    public static OutgoingMessage From<T>(MessageSendContext<T> context)
        where T : class
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var header in context.Headers.GetAll())
        {
            if (header.Value is not null)
            {
                headers[header.Key] = Format(header.Value);
            }
        }

        Set(headers, MessageHeaders.ContentType, context.ContentType?.ToString());
        Set(headers, MessageHeaders.MessageId, context.MessageId?.ToString());
        Set(headers, MessageHeaders.CorrelationId, context.CorrelationId?.ToString());
        Set(headers, MessageHeaders.ConversationId, context.ConversationId?.ToString());
        Set(headers, MessageHeaders.InitiatorId, context.InitiatorId?.ToString());
        Set(headers, MessageHeaders.RequestId, context.RequestId?.ToString());
        Set(headers, MessageHeaders.SourceAddress, context.SourceAddress?.ToString());
        Set(headers, MessageHeaders.ResponseAddress, context.ResponseAddress?.ToString());
        Set(headers, MessageHeaders.FaultAddress, context.FaultAddress?.ToString());
        Set(headers, MessageHeaders.MessageType, context.SupportedMessageTypes is { Length: > 0 } types ? string.Join(';', types) : null);
        if (context.TryGetPayload<PartitionKeySendContext>(out var partition) && partition.PartitionKey is { Length: > 0 } key)
        {
            Set(headers, "MT-PartitionKey", key);
        }

        var delay = context.Delay is { } d && d > TimeSpan.Zero ? d : (TimeSpan?)null;
        return new OutgoingMessage(headers, context.Body.GetBytes())
        {
            TimeToLive = context.TimeToLive is { } ttl && ttl > TimeSpan.Zero ? ttl : null,
            Delay = delay,
            ScheduleToken = delay is not null ? context.ScheduledMessageId?.ToString("N") : null,
        };
    }

    public static Dictionary<string, string> ToText(IEnumerable<KeyValuePair<string, object>> headers)
    {
        var text = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in headers)
        {
            if (value is not null)
            {
                text[key] = Format(value);
            }
        }

        return text;
    }

    static void Set(Dictionary<string, string> headers, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            headers[name] = value;
        }
    }

    static string Format(object value) => value switch
    {
        string s => s,
        DateTime dt => dt.ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset dto => dto.ToString("O", CultureInfo.InvariantCulture),
        Uri uri => uri.ToString(),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => JsonSerializer.Serialize(value, value.GetType()),
    };
}

/// <summary>Moves a faulted message to <c>&lt;queue&gt;_error</c> with MassTransit's exception headers.</summary>
internal sealed class RedisStreamsErrorTransport : IErrorTransport
{
    readonly string _queue;

    public RedisStreamsErrorTransport(string queue)
    {
        _queue = queue;
    }

    public async Task Send(ExceptionReceiveContext context)
    {
        var lockContext = context.GetPayload<RedisStreamsReceiveLockContext>();
        var headers = lockContext.Message.Headers.ToDictionary(h => h.Key, h => (object)h.Value, StringComparer.Ordinal);
        new DictionarySendHeaders(headers, true).SetExceptionHeaders(context);
        await lockContext.Engine.SendAsync(_queue, new OutgoingMessage(OutgoingMessages.ToText(headers), lockContext.Message.Body)).ConfigureAwait(false);
    }
}

/// <summary>Moves a message no consumer took (or that expired) to <c>&lt;queue&gt;_skipped</c> with the reason.</summary>
internal sealed class RedisStreamsDeadLetterTransport : IDeadLetterTransport
{
    readonly string _queue;

    public RedisStreamsDeadLetterTransport(string queue)
    {
        _queue = queue;
    }

    public async Task Send(ReceiveContext context, string reason)
    {
        var lockContext = context.GetPayload<RedisStreamsReceiveLockContext>();
        var headers = new Dictionary<string, string>(lockContext.Message.Headers, StringComparer.Ordinal)
        {
            [MessageHeaders.Reason] = reason ?? "dead-letter",
        };
        await lockContext.Engine.SendAsync(_queue, new OutgoingMessage(headers, lockContext.Message.Body)).ConfigureAwait(false);
    }
}
