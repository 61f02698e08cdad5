using ParkingLot.Shared.Contracts;

namespace ParkingLot.Shared.Credentials;

/// <summary>
/// What a signed code (paper ticket, reservation pass, permit) asserts (invariant I3). Times travel as
/// whole UTC seconds: <see cref="CredentialSigner.Sign"/> truncates them, and a verified credential
/// carries them with offset zero.
/// </summary>
/// <param name="Kind"><see cref="CredentialKind.Ticket"/> (signed by the edge), <see cref="CredentialKind.Pass"/> or <see cref="CredentialKind.Permit"/> (signed by the cloud); never <see cref="CredentialKind.None"/>.</param>
/// <param name="LotId">The lot the credential is for; other lots refuse it.</param>
/// <param name="Id">Ticket id or booking/permit id.</param>
/// <param name="VehicleType">Vehicle type admitted.</param>
/// <param name="SpotId">Reserved spot, if any.</param>
/// <param name="ValidFrom">Start of validity (inclusive).</param>
/// <param name="ValidTo">End of validity (exclusive); null = open-ended, as for a paper ticket.</param>
/// <param name="Version">Booking version, so a changed booking's older pass can be told apart; 0 for tickets.</param>
public sealed record Credential(
    CredentialKind Kind,
    string LotId,
    string Id,
    VehicleType VehicleType,
    string? SpotId,
    DateTimeOffset ValidFrom,
    DateTimeOffset? ValidTo,
    int Version);

/// <summary>Outcome of <see cref="CredentialVerifier.Verify"/>; only <see cref="Valid"/> admits.</summary>
public enum CredentialStatus
{
    /// <summary>Signed by a known key, for this lot, inside its window.</summary>
    Valid,

    /// <summary>Not a credential code (unreadable, truncated, wrong format).</summary>
    Malformed,

    /// <summary>Signed with a key id this verifier does not have.</summary>
    UnknownKey,

    /// <summary>The signature does not match: forged or altered.</summary>
    BadSignature,

    /// <summary>Genuine but for another lot.</summary>
    WrongLot,

    /// <summary>Genuine but its window has not started.</summary>
    NotYetValid,

    /// <summary>Genuine but its window has ended.</summary>
    Expired,
}

/// <summary>
/// Result of checking a code. <see cref="Credential"/> is set once the signature verified (so also for
/// <see cref="CredentialStatus.WrongLot"/>, <see cref="CredentialStatus.NotYetValid"/> and
/// <see cref="CredentialStatus.Expired"/>), null otherwise. <see cref="Reason"/> is a short sentence a
/// gate display can show.
/// </summary>
public sealed record CredentialCheck(CredentialStatus Status, Credential? Credential, string Reason)
{
    /// <summary>True when <see cref="Status"/> is <see cref="CredentialStatus.Valid"/>.</summary>
    public bool IsValid => Status == CredentialStatus.Valid;
}
