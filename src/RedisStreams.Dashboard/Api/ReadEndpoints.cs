using System.Globalization;
using Microsoft.AspNetCore.Http;
using RedisStreams.Dashboard.Hosting;

namespace RedisStreams.Dashboard.Api;

/// <summary>
/// What the pages read: the dashboard's settings, the queue list, one queue, a page of messages, the topics. Each is
/// one call of the engine's inspection API; none changes anything.
/// </summary>
internal sealed class ReadEndpoints
{
    /// <summary>The most messages one page of the browser reads.</summary>
    public const int MaxPageSize = 200;

    readonly DashboardState _state;

    public ReadEndpoints(DashboardState state)
    {
        _state = state;
    }

    public async Task<IResult> InfoAsync(HttpContext http)
    {
        var permission = await _state.Gate.CheckAsync(http).ConfigureAwait(false);
        var options = _state.Options;
        return ApiJson.Ok(new InfoView(
            options.Title,
            _state.Source.KeyPrefix,
            _state.Source.Endpoints,
            options.RefreshInterval.TotalSeconds,
            permission.Allowed,
            permission.Error,
            permission.Reason));
    }

    public async Task<IResult> QueuesAsync(HttpContext http)
    {
        var client = await _state.Source.GetAsync().ConfigureAwait(false);
        var summaries = await client.ListQueuesAsync(http.RequestAborted).ConfigureAwait(false);
        var queues = summaries.Select(s => QueueView.From(s, _state.Options.StuckAfter)).ToList();
        var totals = new OverviewTotals(
            queues.Count,
            queues.Where(q => !q.IsErrorQueue).Sum(q => q.Depth),
            queues.Sum(q => q.Pending),
            queues.Sum(q => q.DeadLetters),
            queues.Where(q => q.IsErrorQueue).Sum(q => q.Length),
            queues.Count(q => q.Findings.Any(f => f.Level == "alert")),
            queues.Count(q => q.Findings.Any(f => f.Level == "warn")));
        return ApiJson.Ok(new OverviewView(queues, totals));
    }

    public async Task<IResult> QueueAsync(HttpContext http)
    {
        var name = RequiredQuery(http, "name");
        var client = await _state.Source.GetAsync().ConfigureAwait(false);
        var details = await client.GetQueueDetailsAsync(name).ConfigureAwait(false);
        return ApiJson.Ok(QueueDetailsView.From(details, _state.Options.StuckAfter));
    }

    public async Task<IResult> MessagesAsync(HttpContext http)
    {
        var queue = RequiredQuery(http, "queue");
        var query = http.Request.Query;
        var deadLetters = query["source"].ToString() switch
        {
            "" or "queue" => false,
            "dead-letters" => true,
            var other => throw new ArgumentException($"source '{other}' is not known: use 'queue' or 'dead-letters'."),
        };
        var count = 20;
        if (query["count"].ToString() is { Length: > 0 } text && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count is < 1 or > MaxPageSize))
        {
            throw new ArgumentException($"count must be a number from 1 to {MaxPageSize}.");
        }

        var after = query["after"].ToString() is { Length: > 0 } a ? a : null;
        var client = await _state.Source.GetAsync().ConfigureAwait(false);
        var page = await client.PeekAsync(queue, count, after, deadLetters).ConfigureAwait(false);
        return ApiJson.Ok(new MessagePageView(
            [.. page.Messages.Select(m => new MessageView(m.EntryId, m.EnqueuedAt, m.Headers, m.TransportFields, BodyView.From(m), m.Problem))],
            page.NextAfter));
    }

    public async Task<IResult> TopicsAsync(HttpContext http)
    {
        var client = await _state.Source.GetAsync().ConfigureAwait(false);
        var topics = await client.Subscriptions.ListTopicsAsync().ConfigureAwait(false);
        return ApiJson.Ok(topics.Select(t => new TopicView(t.Topic, t.Queues, t.LinkedTopics)).ToList());
    }

    static string RequiredQuery(HttpContext http, string name) =>
        http.Request.Query[name].ToString() is { Length: > 0 } value
            ? value
            : throw new ArgumentException($"The query parameter '{name}' is missing: name the queue.");
}
