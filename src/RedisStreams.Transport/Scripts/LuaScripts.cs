using System.Reflection;

namespace RedisStreams.Transport.Scripts;

/// <summary>
/// The engine's Lua scripts, loaded from embedded <c>.lua</c> files with the shared prelude in front.
/// StackExchange.Redis sends each as <c>EVALSHA</c> once a server has seen it.
/// </summary>
internal static class LuaScripts
{
    public static readonly string Send = Load("send");
    public static readonly string Fetch = Load("fetch");
    public static readonly string Claim = Load("claim");
    public static readonly string Renew = Load("renew");
    public static readonly string Release = Load("release");
    public static readonly string Ack = Load("ack");
    public static readonly string DeadLetter = Load("deadletter");
    public static readonly string Schedule = Load("schedule");
    public static readonly string MoveDue = Load("movedue");
    public static readonly string Cancel = Load("cancel");
    public static readonly string Leave = Load("leave");
    public static readonly string Trim = Load("trim");
    public static readonly string Purge = Load("purge");
    public static readonly string PurgeDeadLetters = Load("purgedead");
    public static readonly string Move = Load("move");
    public static readonly string Park = Load("park");
    public static readonly string Deliver = Load("deliver");
    public static readonly string Register = Load("register");
    public static readonly string SweepDelayed = Load("sweepdelayed");
    public static readonly string DropStaged = Load("dropstaged");
    public static readonly string Stats = Load("stats");

    static string Load(string name) => Read("prelude") + "\n" + Read(name);

    static string Read(string name)
    {
        var resource = $"RedisStreams.Transport.Scripts.{name}.lua";
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The embedded script {resource} is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
