using RedisStreams.Testing;

namespace RedisStreams.Cli.Tests;

/// <summary>Wrong passwords, missing ACL permissions and bad input: clear errors, the right exit codes, no secret printed.</summary>
public sealed class ConnectionErrorTests
{
    [Fact]
    public async Task A_wrong_password_fails_with_exit_code_4_and_is_never_printed()
    {
        await using var cli = await CliHarness.StartAsync();
        var user = "ops-" + Guid.NewGuid().ToString("N")[..8];
        const string right = "right-Horse-Battery-9";
        const string wrong = "wrong-Staple-Secret-7";
        await (await cli.Redis.AdminAsync()).GetServers()[0].ExecuteAsync("ACL", RedisAclUser.SetUserArguments(user, right, cli.Prefix, RedisAclUser.OperatorCommandRules));

        var uri = await cli.RunAsync("queues", "--connection", $"redis://{user}:{wrong}@{cli.Redis.ConnectionString}");
        Assert.True(uri.ExitCode == 4, uri.ToString());
        Assert.Contains("user and password", uri.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, uri.All, StringComparison.Ordinal);
        Assert.DoesNotContain(right, uri.All, StringComparison.Ordinal);

        var configuration = await cli.RunAsync("queues", "--connection", $"{cli.Redis.ConnectionString},user={user},password={wrong}");
        Assert.Equal(4, configuration.ExitCode);
        Assert.DoesNotContain(wrong, configuration.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_operator_user_with_the_documented_rules_runs_every_command()
    {
        await using var cli = await CliHarness.StartAsync();
        var user = "ops-" + Guid.NewGuid().ToString("N")[..8];
        var password = "pw-" + Guid.NewGuid().ToString("N");
        await (await cli.Redis.AdminAsync()).GetServers()[0].ExecuteAsync("ACL", RedisAclUser.SetUserArguments(user, password, cli.Prefix, RedisAclUser.OperatorCommandRules));
        await cli.SendAsync("orders", "o");
        await cli.SendAsync("orders_error", "failed", new() { ["MT-Reason"] = "fault" });
        await cli.Client.Subscriptions.SubscribeAsync("t", "orders");
        var connection = $"redis://{user}:{password}@{cli.Redis.ConnectionString}";

        foreach (var args in new[]
        {
            new[] { "queues" }, ["show", "orders"], ["peek", "orders"], ["topics"],
            ["redrive", "--error-queue", "orders_error", "--all"], ["purge", "orders", "--yes"], ["delete", "orders", "--yes"],
        })
        {
            var result = await cli.RunAsync([.. args, "--connection", connection]);
            Assert.True(result.ExitCode == 0, $"{string.Join(' ', args)}: {result}");
            Assert.DoesNotContain(password, result.All, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_acl_user_without_a_permission_is_told_what_to_grant()
    {
        await using var cli = await CliHarness.StartAsync();
        var user = "app-" + Guid.NewGuid().ToString("N")[..8];
        var password = "pw-" + Guid.NewGuid().ToString("N");
        // The application's own user (docs/reliability.md) has no SCAN: it never lists keys.
        await (await cli.Redis.AdminAsync()).GetServers()[0].ExecuteAsync("ACL", RedisAclUser.SetUserArguments(user, password, cli.Prefix));
        await cli.SendAsync("orders", "o");
        var connection = $"redis://{user}:{password}@{cli.Redis.ConnectionString}";

        var listing = await cli.RunAsync("queues", "--connection", connection);
        Assert.True(listing.ExitCode == 5, listing.ToString());
        Assert.Contains($"ACL SETUSER {user} +scan", listing.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(password, listing.All, StringComparison.Ordinal);

        // Keys outside the user's pattern: another prefix.
        var outside = await cli.RunAsync("show", "orders", "--connection", connection, "--prefix", "other");
        Assert.Equal(5, outside.ExitCode);
        Assert.Contains("~other:*", outside.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_input_exits_with_2_and_hides_the_password()
    {
        await using var cli = await CliHarness.StartAsync();
        Assert.Equal(2, (await cli.RunAsync("no-such-command")).ExitCode);
        Assert.Equal(2, (await cli.RunAsync("queues", "--no-such-option")).ExitCode);
        Assert.Equal(2, (await cli.RunAsync("peek")).ExitCode);

        var badUri = await cli.RunAsync("queues", "--connection", "redis://user:Sup3rSecret@host:notaport");
        Assert.Equal(2, badUri.ExitCode);
        Assert.DoesNotContain("Sup3rSecret", badUri.All, StringComparison.Ordinal);

        var badPrefix = await cli.RunAsync("queues", "--prefix", "has space");
        Assert.Equal(2, badPrefix.ExitCode);
        Assert.Contains("key prefix", badPrefix.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_redis_fails_with_exit_code_3()
    {
        await using var cli = await CliHarness.StartAsync();
        var result = await cli.RunAsync("queues", "--connection", $"redis://127.0.0.1:{FreePorts.Next()}?connectTimeout=1000", "--json");
        Assert.Equal(3, result.ExitCode);
        Assert.Contains("Cannot reach Redis", result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Out);
    }
}
