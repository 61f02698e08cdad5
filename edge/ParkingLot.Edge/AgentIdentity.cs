using System.Reflection;

namespace ParkingLot.Edge;

/// <summary>Who this process is: a fresh boot id per start (marks recovery points) and the agent version.</summary>
internal sealed class AgentIdentity
{
    public Guid BootId { get; } = Guid.NewGuid();

    public string Version { get; } =
        typeof(AgentIdentity).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(AgentIdentity).Assembly.GetName().Version?.ToString()
        ?? "0.0.0";
}
