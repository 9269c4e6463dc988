using System.Diagnostics;
using System.Text.Json;

namespace RedisStreams.Cli.Tests;

/// <summary>The built tool as a separate process, and the package installed with dotnet tool install.</summary>
public sealed class ToolProcessTests
{
    static readonly string Configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;

    static readonly string RepositoryRoot = FindRoot();

    [Fact]
    public async Task The_built_tool_lists_queues_as_json_and_refuses_to_purge_without_a_terminal()
    {
        await using var cli = await CliHarness.StartAsync();
        await cli.SendAsync("process-queue", "p");
        var tool = Path.Combine(RepositoryRoot, "src", "RedisStreams.Cli", "bin", Configuration, "net10.0", "RedisStreams.Cli.dll");
        Assert.True(File.Exists(tool), $"{tool} was not built");

        var listed = await RunAsync("dotnet", [tool, "queues", "--json"], cli);
        Assert.True(listed.ExitCode == 0, listed.ToString());
        Assert.Equal("process-queue", JsonDocument.Parse(listed.Out).RootElement[0].GetProperty("queue").GetString());

        var purge = await RunAsync("dotnet", [tool, "purge", "process-queue"], cli);
        Assert.True(purge.ExitCode == 7, purge.ToString());
        Assert.Equal(1, (await cli.Client.GetQueueSummariesAsync(["process-queue"]))[0].Length);
    }

    [Fact]
    public async Task The_package_installs_with_dotnet_tool_install_and_runs_as_redis_streams()
    {
        await using var cli = await CliHarness.StartAsync();
        await cli.SendAsync("installed", "i");
        var work = Directory.CreateTempSubdirectory("redis-streams-tool-").FullName;
        try
        {
            var feed = Path.Combine(work, "feed");
            var pack = await RunAsync("dotnet", ["pack", Path.Combine(RepositoryRoot, "src", "RedisStreams.Cli", "RedisStreams.Cli.csproj"), "-c", Configuration, "--no-build", "-o", feed], cli);
            Assert.True(pack.ExitCode == 0, pack.ToString());
            var package = Path.GetFileNameWithoutExtension(Assert.Single(Directory.GetFiles(feed, "RedisStreams.Cli.*.nupkg")));
            var version = package["RedisStreams.Cli.".Length..];

            // Only the local feed: the tool package carries its dependencies, and no public package may stand in for it.
            var config = Path.Combine(work, "nuget.config");
            await File.WriteAllTextAsync(config, $"<configuration><packageSources><clear /><add key=\"local\" value=\"{feed}\" /></packageSources></configuration>");
            var tools = Path.Combine(work, "tools");
            var install = await RunAsync("dotnet", ["tool", "install", "RedisStreams.Cli", "--version", version, "--configfile", config, "--tool-path", tools], cli);
            Assert.True(install.ExitCode == 0, install.ToString());

            var listed = await RunAsync(Path.Combine(tools, "redis-streams"), ["queues", "--json"], cli);
            Assert.True(listed.ExitCode == 0, listed.ToString());
            Assert.Equal("installed", JsonDocument.Parse(listed.Out).RootElement[0].GetProperty("queue").GetString());
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    static async Task<CliResult> RunAsync(string program, string[] args, CliHarness cli)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["REDIS_STREAMS_CONNECTION"] = cli.Redis.Uri;
        start.Environment["REDIS_STREAMS_PREFIX"] = cli.Prefix;
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return new CliResult(process.ExitCode, await output, await error);
    }

    static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Transports.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException($"No Transports.sln above {AppContext.BaseDirectory}.");
    }
}
