using System.Security.Cryptography;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Shared.Credentials;

/// <summary>
/// The credential kinds one signing key is bound to. The edge's ticket key signs <see cref="Ticket"/>
/// only; the cloud's key signs <see cref="Pass"/> and <see cref="Permit"/> only. A signer refuses to sign
/// outside its kinds and a verifier refuses a code whose key is not bound to its kind, so a stolen or
/// misused edge key cannot mint a reservation pass, nor a cloud key a paper ticket.
/// </summary>
[Flags]
public enum CredentialKinds
{
    /// <summary>No kind: a key bound to nothing signs and verifies nothing.</summary>
    None = 0,

    /// <summary>Paper tickets (signed by the edge).</summary>
    Ticket = 1,

    /// <summary>Reservation passes (signed by the cloud).</summary>
    Pass = 2,

    /// <summary>Permits (signed by the cloud).</summary>
    Permit = 4,

    /// <summary>What the cloud's key signs: <see cref="Pass"/> and <see cref="Permit"/>.</summary>
    Cloud = Pass | Permit,
}

/// <summary>Helpers over <see cref="CredentialKinds"/>.</summary>
public static class CredentialKindsExtensions
{
    /// <summary>True when <paramref name="kinds"/> includes the single kind <paramref name="kind"/>.</summary>
    public static bool Allows(this CredentialKinds kinds, CredentialKind kind) => kind switch
    {
        CredentialKind.Ticket => (kinds & CredentialKinds.Ticket) != 0,
        CredentialKind.Pass => (kinds & CredentialKinds.Pass) != 0,
        CredentialKind.Permit => (kinds & CredentialKinds.Permit) != 0,
        _ => false,
    };
}

/// <summary>A public key a verifier trusts, and the kinds of credential it may have signed.</summary>
/// <param name="PublicKey">ECDSA P-256 public key.</param>
/// <param name="Kinds">The kinds its codes are accepted for.</param>
public sealed record TrustedKey(ECDsa PublicKey, CredentialKinds Kinds);
