using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace ParkingLot.Edge.Control;

/// <summary>
/// The control API's own Kestrel server: on a Unix domain socket (mode 0660, so the service account
/// and its group, e.g. the technicians' <c>parkinglot</c> group, may connect) and optionally on a
/// loopback port. Every request must carry the token the agent writes to <c>control.token</c> (mode
/// 0600) at each start: reading the file proves local access as the service account or root.
/// <para>
/// It is a server of its own rather than routes on the kiosk's web host: the kiosk listens on a
/// TCP port that a touchscreen browser (and anyone at the kiosk) reaches, and none of these endpoints
/// may ever be reachable there.
/// </para>
/// </summary>
internal sealed class ControlServer(
    ControlService control,
    ControlPaths paths,
    IOptions<ControlOptions> options,
    ILoggerFactory loggerFactory,
    ILogger<ControlServer> logger) : IHostedService, IAsyncDisposable
{
    private const UnixFileMode SocketMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;
    private const UnixFileMode TokenMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private WebApplication? _app;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var token = WriteToken(paths.TokenFile);
        var expected = Encoding.ASCII.GetBytes("Bearer " + token);

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(paths.Socket))!);
        if (File.Exists(paths.Socket))
        {
            // A socket file left by a killed agent; nothing listens on it any more.
            File.Delete(paths.Socket);
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.ListenUnixSocket(paths.Socket);
            if (options.Value.TcpPort is { } port)
            {
                kestrel.Listen(System.Net.IPAddress.Loopback, port);
            }
        });
        builder.Services.Configure<JsonOptions>(json =>
        {
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, ControlJsonContext.Default);
            json.SerializerOptions.WriteIndented = false;
        });
        builder.Services.AddSingleton(control);

        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            var header = Encoding.ASCII.GetBytes(context.Request.Headers.Authorization.ToString());
            if (!CryptographicOperations.FixedTimeEquals(header, expected))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                await context.Response.WriteAsJsonAsync(new ControlError($"missing or wrong control token (read it from {paths.TokenFile})"), ControlJsonContext.Default.ControlError, cancellationToken: context.RequestAborted);
                return;
            }

            try
            {
                await next(context);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
            {
                Log.ControlRequestFailed(loggerFactory.CreateLogger<ControlServer>(), ex, context.Request.Method, context.Request.Path);
                if (!context.Response.HasStarted)
                {
                    context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                    await context.Response.WriteAsJsonAsync(new ControlError($"the agent failed: {ex.Message}"), ControlJsonContext.Default.ControlError, cancellationToken: context.RequestAborted);
                }
            }
        });
        app.MapControlApi();
        await app.StartAsync(cancellationToken);
        _app = app;

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(paths.Socket, SocketMode);
        }

        var endpoints = paths.Socket + (options.Value.TcpPort is { } tcp ? $", 127.0.0.1:{tcp}" : string.Empty);
        Log.ControlListening(logger, endpoints, paths.TokenFile);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
        }

        TryDelete(paths.Socket);
        TryDelete(paths.TokenFile);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
            _app = null;
        }
    }

    /// <summary>A fresh random token each start, written so that only the owner can read it.</summary>
    private static string WriteToken(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        TryDelete(path);
        var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            create.UnixCreateMode = TokenMode;
        }

        using (var stream = new FileStream(path, create))
        using (var writer = new StreamWriter(stream, new UTF8Encoding(false)))
        {
            writer.Write(token);
        }

        if (!OperatingSystem.IsWindows())
        {
            // UnixCreateMode is filtered by the umask; set it exactly.
            File.SetUnixFileMode(path, TokenMode);
        }
        return token;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a stale file is replaced at the next start.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
    }
}
