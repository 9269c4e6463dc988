using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using RedisStreams.Testing;
using RedisStreams.Transport;
using StackExchange.Redis;

namespace RedisStreams.Dashboard.Tests;

/// <summary>The dashboard's JSON API and assets over HTTP, as the page, a script or another site would call them.</summary>
public sealed partial class DashboardApiTests
{
    [Fact]
    public async Task Actions_are_refused_unless_the_host_enables_them()
    {
        await using var host = await DashboardHost.StartAsync(o => o.ActionsPolicy = null);
        await using var _ = await host.DeadLetterAsync("payments", "p1", "crashed");
        using var http = host.Http();

        var info = await GetJsonAsync(http, "api/info");
        Assert.False(info.GetProperty("actionsAllowed").GetBoolean());
        Assert.Equal("actions-disabled", info.GetProperty("actionsError").GetString());
        Assert.Contains("ActionsPolicy", info.GetProperty("actionsReason").GetString(), StringComparison.Ordinal);

        foreach (var (path, body) in new (string, object)[]
        {
            ("api/redrive", new { queue = "payments", source = "dead-letters", all = true }),
            ("api/purge", new { queue = "payments", deadLetters = true, confirm = "payments" }),
            ("api/delete", new { queue = "payments", confirm = "payments" }),
        })
        {
            using var response = await http.SendAsync(Action(path, body));
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("actions-disabled", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        }

        var payments = (await host.Client.GetQueueSummariesAsync(["payments"]))[0];
        Assert.Equal(1, payments.DeadLettered);
        Assert.Contains(host.Logs.Lines, l => l.Id.Id == 1082 && l.Message.Contains("purge of payments by anonymous users", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_action_is_a_same_origin_json_post_with_the_dashboards_header()
    {
        await using var host = await DashboardHost.StartAsync(o =>
        {
            o.ActionsPolicy = null;
            o.AllowActions = _ => Task.FromResult(true);
        });
        await using var _ = await host.DeadLetterAsync("payments", "p1", "crashed");
        using var http = host.Http();
        var redrive = new { queue = "payments", source = "dead-letters", all = true };

        var crossSite = new List<HttpRequestMessage>
        {
            Action("api/redrive", redrive, header: false),
            Action("api/redrive", redrive, fetchSite: "cross-site"),
            Action("api/redrive", redrive, fetchSite: "same-site"),
            Action("api/redrive", redrive, fetchSite: null, origin: "http://evil.example"),
            new(HttpMethod.Post, "api/redrive") { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["queue"] = "payments" }), Headers = { { "X-RedisStreams-Dashboard", "1" } } },
        };
        foreach (var request in crossSite)
        {
            using (request)
            using (var response = await http.SendAsync(request))
            {
                Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
                Assert.Equal("cross-site", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
            }
        }

        using (var get = await http.GetAsync(new Uri("api/redrive?queue=payments&source=dead-letters&all=true", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
        }

        Assert.Equal(1, (await host.Client.GetQueueSummariesAsync(["payments"]))[0].DeadLettered);

        // The page's own request: same origin as the browser reports it, and from a script with the matching Origin.
        using (var response = await http.SendAsync(Action("api/redrive", redrive, fetchSite: null, origin: host.Address.GetLeftPart(UriPartial.Authority))))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var report = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(1, report.GetProperty("moved").GetInt64());
            Assert.Equal("moved", report.GetProperty("items")[0].GetProperty("outcome").GetString());
        }

        Assert.Equal(0, (await host.Client.GetQueueSummariesAsync(["payments"]))[0].DeadLettered);
        Assert.Equal(1, (await host.Client.GetQueueSummariesAsync(["payments"]))[0].Length);
    }

    [Fact]
    public async Task Errors_are_json_that_says_what_is_wrong_and_nothing_changes()
    {
        await using var host = await DashboardHost.StartAsync(o =>
        {
            o.ActionsPolicy = null;
            o.AllowActions = _ => Task.FromResult(true);
        });
        await host.SendAsync("orders", "o1");
        using var http = host.Http();

        await ExpectErrorAsync(await http.GetAsync(new Uri("api/queue?name=nope", UriKind.Relative)), HttpStatusCode.NotFound, "queue-not-found", "No queue named 'nope'");
        await ExpectErrorAsync(await http.GetAsync(new Uri("api/queue", UriKind.Relative)), HttpStatusCode.BadRequest, "bad-request", "'name' is missing");
        await ExpectErrorAsync(await http.GetAsync(new Uri("api/messages?queue=orders&count=5000", UriKind.Relative)), HttpStatusCode.BadRequest, "bad-request", "count must be");
        await ExpectErrorAsync(await http.GetAsync(new Uri("api/messages?queue=orders&after=yesterday", UriKind.Relative)), HttpStatusCode.BadRequest, "bad-request", "not a stream entry id");
        await ExpectErrorAsync(await http.SendAsync(Action("api/purge", new { queue = "orders" })), HttpStatusCode.BadRequest, "bad-request", "type the queue's name");
        await ExpectErrorAsync(await http.SendAsync(Action("api/purge", new { queue = "orders", confirm = "order" })), HttpStatusCode.BadRequest, "bad-request", "type the queue's name");
        await ExpectErrorAsync(await http.SendAsync(Action("api/delete", new { queue = "orders" })), HttpStatusCode.BadRequest, "bad-request", "type the queue's name");
        await ExpectErrorAsync(await http.SendAsync(Action("api/purge", new { queue = "gone", confirm = "gone" })), HttpStatusCode.NotFound, "queue-not-found", "No queue named 'gone'");
        await ExpectErrorAsync(await http.SendAsync(Action("api/redrive", new { queue = "orders", source = "dead-letters" })), HttpStatusCode.BadRequest, "bad-request", "Choose which messages");
        await ExpectErrorAsync(await http.SendAsync(Action("api/redrive", new { queue = "orders", source = "dead-letters", ids = new[] { "not-an-id" } })), HttpStatusCode.BadRequest, "bad-request", "not a stream entry id");
        using (var malformed = new HttpRequestMessage(HttpMethod.Post, "api/purge") { Content = new StringContent("{\"queue\":", Encoding.UTF8, "application/json"), Headers = { { "X-RedisStreams-Dashboard", "1" } } })
        {
            await ExpectErrorAsync(await http.SendAsync(malformed), HttpStatusCode.BadRequest, "bad-request", "not the JSON this action takes");
        }

        Assert.Equal(1, (await host.Client.GetQueueSummariesAsync(["orders"]))[0].Length);

        // Confirmed by name, the same purge goes through.
        using var purged = await http.SendAsync(Action("api/purge", new { queue = "orders", confirm = "orders" }));
        Assert.Equal(HttpStatusCode.OK, purged.StatusCode);
        Assert.Equal(1, (await purged.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("removed").GetInt64());
    }

    [Fact]
    public async Task A_permission_redis_refuses_is_a_403_with_what_to_grant_and_the_password_never_shows()
    {
        const string password = "s3cret-Pa55/word";
        var user = "dash-" + Guid.NewGuid().ToString("N")[..8];
        string prefix = string.Empty;
        var redis = await RedisTestEnvironment.GetStandaloneAsync();
        var admin = (await redis.AdminAsync()).GetServers()[0];
        try
        {
            await using var host = await DashboardHost.StartAsync(useConnection: (endpoint, p) =>
            {
                prefix = p;
                // An operator's rules without +scan: reading works, listing does not.
                var rules = RedisAclUser.OperatorCommandRules.Where(r => r != "+scan");
                admin.Execute("ACL", RedisAclUser.SetUserArguments(user, password, p, rules));
                return $"redis://{user}:{Uri.EscapeDataString(password)}@{endpoint.ConnectionString.Split(',')[0]}";
            });
            await host.SendAsync("orders", "o1");
            using var http = host.Http();

            using var queues = await http.GetAsync(new Uri("api/queues", UriKind.Relative));
            var text = await queues.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.Forbidden, queues.StatusCode);
            var error = JsonDocument.Parse(text).RootElement;
            Assert.Equal("permission", error.GetProperty("error").GetString());
            Assert.Contains($"ACL SETUSER {user} +scan", error.GetProperty("message").GetString(), StringComparison.Ordinal);

            using var details = await http.GetAsync(new Uri("api/queue?name=orders", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, details.StatusCode);

            var info = await http.GetStringAsync(new Uri("api/info", UriKind.Relative));
            var page = await http.GetStringAsync(new Uri(string.Empty, UriKind.Relative));
            Assert.Contains("127.0.0.1", JsonDocument.Parse(info).RootElement.GetProperty("redis").GetString(), StringComparison.Ordinal);
            foreach (var shown in new[] { text, info, page, string.Join("\n", host.Logs.Lines.Select(l => l.Message)) })
            {
                Assert.DoesNotContain(password, shown, StringComparison.Ordinal);
                Assert.DoesNotContain(Uri.EscapeDataString(password), shown, StringComparison.Ordinal);
            }
        }
        finally
        {
            await admin.ExecuteAsync("ACL", "DELUSER", user);
        }
    }

    [Fact]
    public async Task Redis_out_of_reach_is_a_503_and_the_page_still_loads()
    {
        var closedPort = FreePorts.Next();
        await using var host = await DashboardHost.StartAsync(useConnection: (_, _) => $"redis://127.0.0.1:{closedPort}?connectTimeout=1000");
        using var http = host.Http();

        using var page = await http.GetAsync(new Uri(string.Empty, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        using var info = await http.GetAsync(new Uri("api/info", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, info.StatusCode);

        using var queues = await http.GetAsync(new Uri("api/queues", UriKind.Relative));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, queues.StatusCode);
        var error = await queues.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("redis-unavailable", error.GetProperty("error").GetString());
        Assert.Contains($"127.0.0.1:{closedPort}", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains(host.Logs.Lines, l => l.Id.Id == 1083);
    }

    [Fact]
    public async Task Queue_details_and_message_pages_show_consumers_and_page_through_entries()
    {
        await using var host = await DashboardHost.StartAsync();
        await host.Client.SendAsync("pages", new OutgoingMessage(new Dictionary<string, string> { ["id"] = "bin" }, new byte[] { 0, 1, 2, 0xFF }));
        for (var i = 0; i < 24; i++)
        {
            await host.SendAsync("pages", $"m{i}");
        }

        await using var receiver = host.Client.CreateReceiver("pages", prefetchCount: 1);
        await receiver.StartAsync();
        Assert.NotNull(await receiver.ReceiveAsync(TimeSpan.FromSeconds(30)));
        using var http = host.Http();

        var details = await GetJsonAsync(http, "api/queue?name=pages");
        Assert.Equal(25, details.GetProperty("summary").GetProperty("depth").GetInt64());
        var consumer = details.GetProperty("groups")[0].GetProperty("consumers")[0];
        Assert.Equal(receiver.ConsumerName, consumer.GetProperty("name").GetString());
        Assert.Equal(1, consumer.GetProperty("pending").GetInt64());

        var ids = new List<string>();
        string? after = null;
        var pages = 0;
        do
        {
            var page = await GetJsonAsync(http, "api/messages?queue=pages&count=10" + (after is null ? string.Empty : "&after=" + after));
            foreach (var message in page.GetProperty("messages").EnumerateArray())
            {
                ids.Add(message.GetProperty("headers").GetProperty("id").GetString()!);
            }

            after = page.GetProperty("nextAfter").GetString();
            pages++;
        }
        while (after is not null);

        Assert.Equal(3, pages);
        Assert.Equal(["bin", .. Enumerable.Range(0, 24).Select(i => $"m{i}")], ids);

        var first = (await GetJsonAsync(http, "api/messages?queue=pages&count=2")).GetProperty("messages");
        Assert.Equal(JsonValueKind.Null, first[0].GetProperty("body").GetProperty("text").ValueKind);
        Assert.Equal("000102ff", first[0].GetProperty("body").GetProperty("hex").GetString());
        Assert.Equal("{\"id\":\"m0\"}", first[1].GetProperty("body").GetProperty("text").GetString());
    }

    [Fact]
    public async Task The_overview_flags_what_needs_attention()
    {
        await using var host = await DashboardHost.StartAsync();
        await host.SendAsync("unread", "u1");
        await host.SendAsync("unread_error", "e1");
        await using var _ = await host.DeadLetterAsync("crashing", "c1", "handler crashed");
        await host.SendAsync("fine", "f1");
        await using var fine = host.Client.CreateReceiver("fine");
        await fine.StartAsync();
        var message = await fine.ReceiveAsync(TimeSpan.FromSeconds(30));
        await fine.AckAsync(message!);

        using var http = host.Http();
        var overview = await GetJsonAsync(http, "api/queues");
        var queues = overview.GetProperty("queues").EnumerateArray().ToDictionary(q => q.GetProperty("queue").GetString()!);
        string[] Findings(string queue) => [.. queues[queue].GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("level").GetString() + ": " + f.GetProperty("text").GetString())];

        Assert.Contains(Findings("unread"), f => f.StartsWith("warn: 1 message and no consumer group", StringComparison.Ordinal));
        Assert.Contains(Findings("unread_error"), f => f.StartsWith("alert: 1 failed message", StringComparison.Ordinal));
        Assert.True(queues["unread_error"].GetProperty("isErrorQueue").GetBoolean());
        Assert.Contains(Findings("crashing"), f => f.StartsWith("alert: 1 dead letter", StringComparison.Ordinal));
        Assert.Empty(Findings("fine"));
        var totals = overview.GetProperty("totals");
        Assert.Equal(1, totals.GetProperty("deadLetters").GetInt64());
        Assert.Equal(1, totals.GetProperty("failedMessages").GetInt64());
        Assert.Equal(4, totals.GetProperty("queues").GetInt32());
    }

    [Fact]
    public async Task Every_asset_comes_from_the_assembly_under_a_strict_content_security_policy()
    {
        await using var host = await DashboardHost.StartAsync();
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = host.Address };

        using var bare = await http.GetAsync(new Uri("redis-streams", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, bare.StatusCode);
        Assert.Equal("/redis-streams/", bare.Headers.Location!.OriginalString);

        foreach (var (path, type) in new[]
        {
            ("redis-streams/", "text/html"),
            ("redis-streams/assets/app.js", "text/javascript"),
            ("redis-streams/assets/app.css", "text/css"),
            ("redis-streams/assets/icon.svg", "image/svg+xml"),
        })
        {
            using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(type, response.Content.Headers.ContentType!.MediaType);
            var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("default-src 'none'", policy, StringComparison.Ordinal);
            Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
            Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
            Assert.Contains("img-src 'self';", policy, StringComparison.Ordinal);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());

            // Nothing from anywhere else: no URL but the SVG namespace, no inline script or style, no markup built from strings.
            var text = await response.Content.ReadAsStringAsync();
            Assert.Empty(ExternalUrl().Matches(text.Replace("http://www.w3.org/2000/svg", string.Empty, StringComparison.Ordinal)));
            Assert.DoesNotContain("innerHTML", text.Replace("innerHTML is not used", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
            Assert.DoesNotContain("style=", text, StringComparison.Ordinal);

            // Revalidation answers 304 from the ETag.
            using var again = new HttpRequestMessage(HttpMethod.Get, path);
            again.Headers.TryAddWithoutValidation("If-None-Match", response.Headers.ETag!.Tag);
            using var cached = await http.SendAsync(again);
            Assert.Equal(HttpStatusCode.NotModified, cached.StatusCode);
        }

        using var missing = await http.GetAsync(new Uri("redis-streams/assets/nothing.js", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task The_host_chains_its_own_authorization_onto_every_endpoint()
    {
        await using var host = await DashboardHost.StartAsync(conventions: d => d.RequireAuthorization(DashboardHost.OperatorsPolicy));
        await host.SendAsync("orders", "o1");
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() };
        using var http = new HttpClient(handler) { BaseAddress = host.Address };

        foreach (var path in new[] { "redis-streams/", "redis-streams/assets/app.js", "redis-streams/api/queues" })
        {
            using var anonymous = await http.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
            Assert.Contains("/Account/Login", anonymous.Headers.Location!.OriginalString, StringComparison.Ordinal);
        }

        using (await http.GetAsync(new Uri("login?role=operator", UriKind.Relative)))
        {
        }

        using var signedIn = await http.GetAsync(new Uri("redis-streams/api/queues", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        Assert.Contains("\"queue\":\"orders\"", await signedIn.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public void Mapping_without_any_redis_fails_at_start_up_with_what_to_do()
    {
        var app = WebApplication.CreateBuilder().Build();
        var e = Assert.Throws<InvalidOperationException>(() => app.MapRedisStreamsDashboard());
        Assert.Contains("set RedisStreamsDashboardOptions.Connection", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => app.MapRedisStreamsDashboard("/x", o => o.Connection = "redis://:@"));
        Assert.Throws<ArgumentOutOfRangeException>(() => app.MapRedisStreamsDashboard("/x", o =>
        {
            o.Connection = "redis://localhost";
            o.RefreshInterval = TimeSpan.FromMilliseconds(10);
        }));
    }

    [Fact]
    public async Task A_dashboard_can_borrow_the_applications_multiplexer_under_another_prefix()
    {
        var redis = await RedisTestEnvironment.GetStandaloneAsync();
        var prefix = TestNames.UniquePrefix();
        var multiplexer = await redis.AdminAsync();
        var client = new RedisStreamsClient(multiplexer, new RedisStreamsOptions { KeyPrefix = prefix });
        await client.SendAsync("borrowed", new OutgoingMessage(new Dictionary<string, string>(), "x"u8.ToArray()));

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddSingleton(multiplexer);
        await using var app = builder.Build();
        app.MapRedisStreamsDashboard("/ops/queues", o => o.KeyPrefix = prefix);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.Single().TrimEnd('/') + "/ops/queues/") };

        var overview = await GetJsonAsync(http, "api/queues");
        Assert.Equal("borrowed", Assert.Single(overview.GetProperty("queues").EnumerateArray()).GetProperty("queue").GetString());
        Assert.Equal(prefix, (await GetJsonAsync(http, "api/info")).GetProperty("keyPrefix").GetString());
        await app.StopAsync();

        // The borrowed multiplexer stays open for its owner.
        Assert.True(multiplexer.IsConnected);
    }

    static HttpRequestMessage Action(string path, object body, bool header = true, string? fetchSite = "same-origin", string? origin = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        if (header)
        {
            request.Headers.Add("X-RedisStreams-Dashboard", "1");
        }

        if (fetchSite is not null)
        {
            request.Headers.Add("Sec-Fetch-Site", fetchSite);
        }

        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        return request;
    }

    static async Task<JsonElement> GetJsonAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    static async Task ExpectErrorAsync(HttpResponseMessage response, HttpStatusCode status, string error, string message)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
            var json = JsonDocument.Parse(text).RootElement;
            Assert.Equal(error, json.GetProperty("error").GetString());
            Assert.Contains(message, json.GetProperty("message").GetString(), StringComparison.Ordinal);
        }
    }

    [GeneratedRegex(@"https?://|//[a-z0-9.-]+\.[a-z]{2,}/|@import|url\(", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalUrl();
}
