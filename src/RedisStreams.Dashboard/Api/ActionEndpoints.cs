using System.Text.Json;
using Microsoft.AspNetCore.Http;
using RedisStreams.Dashboard.Hosting;
using RedisStreams.Transport;

namespace RedisStreams.Dashboard.Api;

/// <summary>A redrive the page asks for: from a queue's dead letters or from an error queue; by ids, all, or only completing interrupted moves.</summary>
internal sealed record RedriveBody(string? Queue, string? Source, IReadOnlyList<string>? Ids, bool All, bool CompleteInterrupted, bool DryRun, bool KeepFaultHeaders);

/// <summary>A purge: the queue's messages, or its dead letters; <see cref="Confirm"/> repeats the queue's name.</summary>
internal sealed record PurgeBody(string? Queue, bool DeadLetters, string? Confirm);

/// <summary>A delete; <see cref="Confirm"/> repeats the queue's name.</summary>
internal sealed record DeleteBody(string? Queue, string? Confirm);

/// <summary>
/// The three things an operator can change: redrive, purge, delete. Each is refused unless the request comes from
/// the dashboard's own page (<see cref="ActionGate.CrossSiteProblem"/>) and the host allows this user
/// (<see cref="ActionGate.CheckAsync"/>); each that changes something is logged with who did it. The work itself is
/// the engine's tested, atomic operation.
/// </summary>
internal sealed class ActionEndpoints
{
    /// <summary>The most ids one redrive may name (a page of the browser holds at most 200).</summary>
    const int MaxIds = 1000;

    readonly DashboardState _state;

    public ActionEndpoints(DashboardState state)
    {
        _state = state;
    }

    public Task<IResult> RedriveAsync(HttpContext http) => ActAsync<RedriveBody>(http, "redrive", async (client, body, queue) =>
    {
        var deadLetters = body.Source switch
        {
            "dead-letters" => true,
            "error-queue" => false,
            _ => throw new ArgumentException("source must be 'dead-letters' (a queue's dead-letter stream) or 'error-queue' (a framework error queue)."),
        };
        var selections = (body.Ids is { Count: > 0 } ? 1 : 0) + (body.All ? 1 : 0) + (body.CompleteInterrupted ? 1 : 0);
        if (selections != 1)
        {
            throw new ArgumentException("Choose which messages: ids (a selection), all, or completeInterrupted.");
        }

        if (body.Ids is { Count: > MaxIds })
        {
            throw new ArgumentException($"At most {MaxIds} ids per redrive; to move more, redrive all.");
        }

        if (body.CompleteInterrupted && deadLetters)
        {
            throw new ArgumentException("Only error queues have interrupted redrives to complete; a dead letter moves in one step.");
        }

        var request = new RedriveRequest
        {
            EntryIds = body.Ids is { Count: > 0 } ids ? ids : null,
            MaxCount = body.CompleteInterrupted ? 0 : null,
            DryRun = body.DryRun,
            KeepFaultHeaders = body.KeepFaultHeaders,
        };
        var report = deadLetters
            ? await client.RedriveDeadLettersAsync(queue, request, http.RequestAborted).ConfigureAwait(false)
            : await client.RedriveErrorQueueAsync(queue, request, http.RequestAborted).ConfigureAwait(false);
        var outcome = body.DryRun
            ? null
            : $"{(deadLetters ? "dead letters" : "error queue")}: moved {report.Moved}, left {report.Skipped}, not found {report.NotFound}";
        return (report, outcome);
    });

    public Task<IResult> PurgeAsync(HttpContext http) => ActAsync<PurgeBody>(http, "purge", async (client, body, queue) =>
    {
        RequireConfirmation(queue, body.Confirm);
        var removed = body.DeadLetters
            ? await client.PurgeDeadLettersAsync(queue).ConfigureAwait(false)
            : await client.PurgeQueueAsync(queue, mustExist: true).ConfigureAwait(false);
        return (new { removed }, $"removed {removed} {(body.DeadLetters ? "dead letter(s)" : "message(s)")}");
    });

    public Task<IResult> DeleteAsync(HttpContext http) => ActAsync<DeleteBody>(http, "delete", async (client, body, queue) =>
    {
        RequireConfirmation(queue, body.Confirm);
        var removal = await client.RemoveQueueAsync(queue).ConfigureAwait(false);
        return (removal, $"deleted with {removal.Messages} message(s), {removal.DeadLetters} dead letter(s), {removal.Scheduled} scheduled; unsubscribed from {removal.UnsubscribedTopics.Count} topic(s)");
    });

    async Task<IResult> ActAsync<TBody>(HttpContext http, string action, Func<RedisStreamsClient, TBody, string, Task<(object Result, string? Outcome)>> act)
        where TBody : class
    {
        var user = ActionGate.UserName(http);
        var remote = http.Connection.RemoteIpAddress?.ToString();
        if (ActionGate.CrossSiteProblem(http.Request) is { } problem)
        {
            _state.Logger.ActionRefused(action, "-", user, remote, problem);
            return ApiJson.Error(StatusCodes.Status403Forbidden, "cross-site", problem);
        }

        TBody? body;
        try
        {
            body = await http.Request.ReadFromJsonAsync<TBody>(ApiJson.Options, http.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"The request body is not the JSON this action takes: {e.Message}", e);
        }

        var queue = QueueOf(body);
        var permission = await _state.Gate.CheckAsync(http).ConfigureAwait(false);
        if (!permission.Allowed)
        {
            _state.Logger.ActionRefused(action, queue ?? "-", user, remote, permission.Reason!);
            return ApiJson.Error(StatusCodes.Status403Forbidden, permission.Error!, permission.Reason!);
        }

        if (body is null || queue is not { Length: > 0 })
        {
            throw new ArgumentException("The request names no queue.");
        }

        var client = await _state.Source.GetAsync().ConfigureAwait(false);
        var (result, outcome) = await act(client, body, queue).ConfigureAwait(false);
        if (outcome is not null)
        {
            _state.Logger.ActionDone(action, queue, user, remote, outcome);
        }

        return ApiJson.Ok(result);
    }

    static string? QueueOf(object? body) => body switch
    {
        RedriveBody b => b.Queue,
        PurgeBody b => b.Queue,
        DeleteBody b => b.Queue,
        _ => null,
    };

    static void RequireConfirmation(string queue, string? confirm)
    {
        if (!string.Equals(queue, confirm, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Not confirmed: type the queue's name ({queue}) to confirm.");
        }
    }
}
