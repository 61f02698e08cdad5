using System.Globalization;
using System.Security.Cryptography;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Shared.Credentials;

/// <summary>
/// Checks credential codes offline at any gate of a lot and in the cloud (invariant I3). Text format:
/// <c>PL1.&lt;base64url payload&gt;.&lt;base64url signature&gt;</c> (details on the internal codec: key id,
/// kind, lot, id, vehicle type, spot, window in Unix seconds and version in a compact binary payload;
/// ECDSA P-256/SHA-256 P1363 signature over <c>PL1.&lt;payload&gt;</c>).
/// </summary>
/// <remarks>
/// Checks run in this order and the first failure is reported: readable (<see cref="CredentialStatus.Malformed"/>),
/// key id known (<see cref="CredentialStatus.UnknownKey"/>), signature (<see cref="CredentialStatus.BadSignature"/>),
/// the key bound to the code's kind (<see cref="CredentialStatus.UnknownKey"/>: the edge's ticket key cannot
/// vouch for a pass, nor the cloud's key for a ticket),
/// lot (<see cref="CredentialStatus.WrongLot"/>), window: <c>ValidFrom ≤ now &lt; ValidTo</c>
/// (<see cref="CredentialStatus.NotYetValid"/>, <see cref="CredentialStatus.Expired"/>; a null ValidTo never expires).
/// <see cref="Verify"/> never throws for any code text. Thread-safe; the caller keeps ownership of the keys.
/// </remarks>
public sealed class CredentialVerifier
{
    private readonly Dictionary<string, TrustedKey> _publicKeys;

    /// <summary>Creates a verifier trusting <paramref name="publicKeys"/> (key id → P-256 public key and the kinds it may sign).</summary>
    /// <exception cref="ArgumentException">A key that is not P-256.</exception>
    public CredentialVerifier(IReadOnlyDictionary<string, TrustedKey> publicKeys)
    {
        ArgumentNullException.ThrowIfNull(publicKeys);
        _publicKeys = new Dictionary<string, TrustedKey>(StringComparer.Ordinal);
        foreach (var (keyId, trusted) in publicKeys)
        {
            if (trusted?.PublicKey is not { } key || !CredentialKeys.IsP256(key))
            {
                throw new ArgumentException($"Key '{keyId}' is not an ECDSA P-256 key.", nameof(publicKeys));
            }

            _publicKeys[keyId] = trusted;
        }
    }

    /// <summary>Checks <paramref name="code"/> for the lot <paramref name="expectedLotId"/> at <paramref name="now"/>.</summary>
    public CredentialCheck Verify(string code, string expectedLotId, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(expectedLotId);
        if (!CredentialCodec.TryParse(code, out var parsed, out var reason))
        {
            return new CredentialCheck(CredentialStatus.Malformed, null, reason);
        }

        if (!_publicKeys.TryGetValue(parsed!.KeyId, out var trusted))
        {
            return new CredentialCheck(CredentialStatus.UnknownKey, null, "Code is signed by a key this gate does not know.");
        }

        var key = trusted.PublicKey;
        bool genuine;
        lock (key)
        {
            genuine = key.VerifyData(parsed.SignedText, parsed.Signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }

        if (!genuine)
        {
            return new CredentialCheck(CredentialStatus.BadSignature, null, "Code is forged or altered.");
        }

        var credential = parsed.Credential;
        var noun = Noun(credential.Kind);
        if (!trusted.Kinds.Allows(credential.Kind))
        {
            // Genuine signature, wrong signer for this kind: no credential is handed out.
            return new CredentialCheck(CredentialStatus.UnknownKey, null, $"{noun} is signed by a key that may not sign a {noun.ToLowerInvariant()}.");
        }
        if (!string.Equals(credential.LotId, expectedLotId, StringComparison.Ordinal))
        {
            return new CredentialCheck(CredentialStatus.WrongLot, credential, $"{noun} is for lot {credential.LotId}.");
        }

        if (now < credential.ValidFrom)
        {
            return new CredentialCheck(CredentialStatus.NotYetValid, credential, $"{noun} is valid from {Format(credential.ValidFrom)}.");
        }

        if (credential.ValidTo is { } validTo && now >= validTo)
        {
            return new CredentialCheck(CredentialStatus.Expired, credential, $"{noun} expired at {Format(validTo)}.");
        }

        return new CredentialCheck(CredentialStatus.Valid, credential, $"{noun} is valid.");
    }

    private static string Noun(CredentialKind kind) => kind switch
    {
        CredentialKind.Ticket => "Ticket",
        CredentialKind.Pass => "Pass",
        CredentialKind.Permit => "Permit",
        _ => "Code",
    };

    private static string Format(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
