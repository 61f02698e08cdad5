using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ParkingLot.Edge.Control;

namespace ParkingLot.Edge.Cli;

/// <summary>Where the agent's control API is: a Unix socket (default) or a loopback port, and its token file.</summary>
internal sealed record AgentEndpoint(string Socket, int? TcpPort, string TokenFile)
{
    public const string DefaultDataDirectory = "/var/lib/parkinglot";

    public const string SocketVariable = "PARKCTL_SOCKET";

    /// <summary>
    /// <c>--data</c> wins (socket and token in that folder), then <c>--socket</c>, then
    /// <c>$PARKCTL_SOCKET</c>, then /var/lib/parkinglot/control.sock. The token is read from the
    /// socket's folder unless <c>--data</c> names another.
    /// </summary>
    public static AgentEndpoint Resolve(string? socket, string? data, int? tcpPort)
    {
        if (!string.IsNullOrWhiteSpace(data))
        {
            var folder = Path.GetFullPath(data);
            return new AgentEndpoint(
                string.IsNullOrWhiteSpace(socket) ? Path.Combine(folder, ControlPaths.SocketFileName) : Path.GetFullPath(socket),
                tcpPort,
                Path.Combine(folder, ControlPaths.TokenFileName));
        }

        var path = !string.IsNullOrWhiteSpace(socket) ? socket
            : Environment.GetEnvironmentVariable(SocketVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment
            : Path.Combine(DefaultDataDirectory, ControlPaths.SocketFileName);
        path = Path.GetFullPath(path);
        return new AgentEndpoint(path, tcpPort, Path.Combine(Path.GetDirectoryName(path) ?? ".", ControlPaths.TokenFileName));
    }

    public string Describe() => TcpPort is { } port ? $"127.0.0.1:{port}" : Socket;
}

/// <summary>
/// HTTP over the agent's Unix socket with the bearer token. Every failure to reach the agent becomes
/// an <see cref="AgentUnreachableException"/> with one line that says what to check; a refusal
/// becomes an <see cref="AgentRefusedException"/> with the agent's own sentence.
/// </summary>
internal sealed class AgentClient : IDisposable
{
    private readonly AgentEndpoint _endpoint;
    private readonly HttpClient _http;

    public AgentClient(AgentEndpoint endpoint)
    {
        _endpoint = endpoint;
        var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5) };
        if (endpoint.TcpPort is null)
        {
            handler.ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(endpoint.Socket), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }

        _http = new HttpClient(handler)
        {
            BaseAddress = new Uri(endpoint.TcpPort is { } port ? $"http://127.0.0.1:{port}/" : "http://agent/"),
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public Task<T> GetAsync<T>(string path, JsonTypeInfo<T> type, TimeSpan? timeout, CancellationToken cancellationToken) =>
        SendAsync(() => new HttpRequestMessage(HttpMethod.Get, path), type, timeout, cancellationToken);

    public Task<T> GetAsync<T>(string path, JsonTypeInfo<T> type, CancellationToken cancellationToken) => GetAsync(path, type, null, cancellationToken);

    public Task<TResponse> PostAsync<TRequest, TResponse>(string path, TRequest body, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        SendAsync(() => new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body, requestType) }, responseType, timeout, cancellationToken);

    public void Dispose() => _http.Dispose();

    private async Task<T> SendAsync<T>(Func<HttpRequestMessage> create, JsonTypeInfo<T> type, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        if (_endpoint.TcpPort is null && !File.Exists(_endpoint.Socket))
        {
            throw new AgentUnreachableException($"the agent is not running: no control socket at {_endpoint.Socket} (start it, or give --data/--socket)");
        }

        var token = ReadToken();
        using var request = create();
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(limit);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, deadline.Token);
        }
        catch (HttpRequestException ex)
        {
            var reason = (ex.InnerException as SocketException)?.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused",
                SocketError.AccessDenied => "permission denied (join the agent's group or use sudo)",
                SocketError.AddressNotAvailable or SocketError.HostNotFound => "no such socket",
                _ => ex.InnerException?.Message ?? ex.Message,
            };
            throw new AgentUnreachableException($"the agent is not reachable at {_endpoint.Describe()}: {reason}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AgentUnreachableException($"the agent at {_endpoint.Describe()} did not answer within {limit.TotalSeconds:0} s");
        }

        using (response)
        {
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                throw new AgentUnreachableException($"the agent refused the token in {_endpoint.TokenFile} (was it restarted? is this its data folder?)");
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new AgentRefusedException((int)response.StatusCode, await ErrorOfAsync(response, cancellationToken));
            }

            try
            {
                return await response.Content.ReadFromJsonAsync(type, cancellationToken)
                    ?? throw new AgentRefusedException(500, "the agent sent an empty answer");
            }
            catch (JsonException ex)
            {
                throw new AgentRefusedException(500, $"the agent's answer is not what this parkctl expects ({ex.Message}); are parkctl and the agent the same version?");
            }
        }
    }

    private static async Task<string> ErrorOfAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            if (text.Length > 0 && JsonSerializer.Deserialize(text, ControlJsonContext.Default.ControlError) is { Error.Length: > 0 } error)
            {
                return error.Error;
            }
        }
        catch (JsonException)
        {
            // Not our error record: fall back to the status.
        }

        return $"the agent answered {(int)response.StatusCode} {response.ReasonPhrase}";
    }

    private string ReadToken()
    {
        try
        {
            return File.ReadAllText(_endpoint.TokenFile).Trim();
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new AgentUnreachableException($"no control token at {_endpoint.TokenFile}: the agent is not running or uses another data folder (--data)");
        }
        catch (UnauthorizedAccessException)
        {
            throw new AgentUnreachableException($"cannot read {_endpoint.TokenFile}: run parkctl as the agent's user (sudo -u parkinglot parkctl …) or with sudo");
        }
        catch (IOException ex)
        {
            throw new AgentUnreachableException($"cannot read {_endpoint.TokenFile}: {ex.Message}");
        }
    }
}
