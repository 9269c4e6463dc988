using System.Collections.ObjectModel;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace RedisStreams.Dashboard.Tests;

/// <summary>
/// Debian's Chromium, headless, driven through its own chromedriver: a fresh profile per test, no network but
/// loopback (every other host name fails to resolve, so a page that needed a CDN would break here), nothing
/// downloaded. When either binary is missing the test fails and says how to install them; it never skips.
/// </summary>
public sealed class Browser : IDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";
    public const string ChromeDriverPath = "/usr/bin/chromedriver";

    readonly ChromeDriver _driver;
    readonly string _profile;

    Browser(ChromeDriver driver, string profile)
    {
        _driver = driver;
        _profile = profile;
    }

    public IWebDriver Driver => _driver;

    /// <summary>Starts the browser; the paths are parameters only so a test can show what a machine without them gets.</summary>
    public static Browser Start(string chromium = ChromiumPath, string chromeDriver = ChromeDriverPath)
    {
        foreach (var binary in new[] { chromium, chromeDriver })
        {
            if (!File.Exists(binary))
            {
                throw new InvalidOperationException(
                    $"{binary} is missing: the dashboard's browser tests drive Debian's Chromium. Install it with scripts/ensure-browser.sh (apt-get install -y chromium chromium-driver).");
            }
        }

        // Selenium Manager would look for a driver on the internet when none is given; one is given, and offline
        // mode makes sure it never tries.
        Environment.SetEnvironmentVariable("SE_OFFLINE", "true");
        var profile = Directory.CreateTempSubdirectory("redis-streams-chromium-").FullName;
        var options = new ChromeOptions { BinaryLocation = chromium };
        options.AddArguments(
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "--window-size=1440,1000",
            "--force-device-scale-factor=1",
            "--lang=en-US",
            $"--user-data-dir={profile}");
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(chromeDriver)!, Path.GetFileName(chromeDriver));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        var driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
        driver.Manage().Timeouts().AsynchronousJavaScript = TimeSpan.FromSeconds(30);
        return new Browser(driver, profile);
    }

    public void Open(Uri address) => _driver.Navigate().GoToUrl(address);

    public object? Script(string script, params object[] args) => _driver.ExecuteScript(script, args);

    /// <summary>Runs a script that calls <c>done(result)</c> (the last argument) when it is finished.</summary>
    public object? AsyncScript(string script, params object[] args) => _driver.ExecuteAsyncScript("const done = arguments[arguments.length - 1];\n" + script, args);

    public IWebElement Find(string css) => _driver.FindElement(By.CssSelector(css));

    /// <summary>Clicks the element, finding it again if the page re-rendered it in between.</summary>
    public void Click(string css) => WaitUntil(() =>
    {
        Find(css).Click();
        return true;
    }, $"{css} can be clicked");

    public ReadOnlyCollection<IWebElement> FindAll(string css) => _driver.FindElements(By.CssSelector(css));

    /// <summary>
    /// The rendered text of the first element matching <paramref name="css"/>, or <c>null</c> while there is none.
    /// Found and read in one script, so a refresh that re-renders the element cannot come in between.
    /// </summary>
    public string? TextOf(string css) =>
        (string?)Script("const e = document.querySelector(arguments[0]); return e === null ? null : e.innerText.trim();", css);

    /// <summary>The texts of every element matching <paramref name="css"/>, read in one script.</summary>
    public IReadOnlyList<string> TextsOf(string css) =>
        ((IEnumerable<object>)Script("return [...document.querySelectorAll(arguments[0])].map(e => e.innerText.trim());", css)!).Cast<string>().ToList();

    /// <summary>Whether the first element matching <paramref name="css"/> is enabled, or <c>null</c> while there is none.</summary>
    public bool? EnabledOf(string css) =>
        (bool?)Script("const e = document.querySelector(arguments[0]); return e === null ? null : !e.disabled;", css);

    /// <summary>Waits until <paramref name="condition"/> holds (the page updates by itself), with a generous deadline.</summary>
    public void WaitUntil(Func<bool> condition, string what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (condition())
                {
                    return;
                }
            }
            catch (WebDriverException e)
            {
                // The page re-renders under us: stale or not-yet-there elements are part of waiting.
                last = e;
            }

            Thread.Sleep(100);
        }

        throw new TimeoutException($"Timed out waiting until {what}. Page text:\n{SafeBodyText()}", last);
    }

    string SafeBodyText()
    {
        try
        {
            return _driver.FindElement(By.TagName("body")).Text;
        }
        catch (WebDriverException e)
        {
            return $"(unreadable: {e.Message})";
        }
    }

    /// <summary>
    /// Saves a screenshot as <paramref name="name"/>.png: into the folder named by <c>REDIS_STREAMS_SCREENSHOTS</c>
    /// (relative to the repository root; <c>docs/images</c> refreshes the docs), else into the test output.
    /// </summary>
    public string Screenshot(string name)
    {
        var folder = Environment.GetEnvironmentVariable("REDIS_STREAMS_SCREENSHOTS") is { Length: > 0 } configured
            ? Path.IsPathRooted(configured) ? configured : Path.Combine(RepositoryRoot(), configured)
            : Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, name + ".png");
        _driver.GetScreenshot().SaveAsFile(file);
        return file;
    }

    /// <summary>Resizes the window so the whole page fits, for a screenshot of all of it.</summary>
    public void FitHeight(int min = 700, int max = 2400)
    {
        var height = Convert.ToInt32(Script("return document.documentElement.scrollHeight;"), System.Globalization.CultureInfo.InvariantCulture);
        _driver.Manage().Window.Size = new System.Drawing.Size(1440, Math.Clamp(height + 20, min, max));
    }

    static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Transports.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Found no Transports.sln above the test output: give REDIS_STREAMS_SCREENSHOTS as an absolute path.");
    }

    public void Dispose()
    {
        try
        {
            _driver.Quit();
        }
        finally
        {
            _driver.Dispose();
            try
            {
                Directory.Delete(_profile, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
