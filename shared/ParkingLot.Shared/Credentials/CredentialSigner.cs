using System.Security.Cryptography;
using System.Text;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Shared.Credentials;

/// <summary>
/// Signs credentials into the compact text printed on tickets and shown as passes (invariant I3; format
/// on <see cref="CredentialVerifier"/>). The edge signs tickets with its lot key, the cloud signs
/// passes and permits with its key; verifiers tell them apart by <see cref="KeyId"/>. Each signer is
/// bound to the <see cref="CredentialKinds"/> its key may sign and refuses any other. Thread-safe.
/// The caller keeps ownership of the key and must keep it alive as long as the signer.
/// </summary>
public sealed class CredentialSigner
{
    private readonly ECDsa _privateKey;

    /// <summary>Creates a signer for <paramref name="privateKey"/> published under <paramref name="keyId"/>, signing only <paramref name="kinds"/>.</summary>
    /// <exception cref="ArgumentException">Empty or over-long key id (1–255 UTF-8 bytes), a key that is not P-256, or no kind.</exception>
    public CredentialSigner(string keyId, ECDsa privateKey, CredentialKinds kinds)
    {
        if (kinds == CredentialKinds.None || (kinds & ~(CredentialKinds.Ticket | CredentialKinds.Pass | CredentialKinds.Permit)) != 0)
        {
            throw new ArgumentException($"A signing key must be bound to at least one credential kind, not {kinds}.", nameof(kinds));
        }

        ArgumentNullException.ThrowIfNull(privateKey);
        CheckText(keyId, "keyId", nameof(keyId));
        if (!CredentialKeys.IsP256(privateKey))
        {
            throw new ArgumentException("Credential keys must be ECDSA P-256.", nameof(privateKey));
        }

        KeyId = keyId;
        Kinds = kinds;
        _privateKey = privateKey;
    }

    /// <summary>The kinds of credential this key signs.</summary>
    public CredentialKinds Kinds { get; }

    /// <summary>Id under which verifiers know the public half of the key; embedded in every code.</summary>
    public string KeyId { get; }

    /// <summary>
    /// The signed code for <paramref name="credential"/>. Times are truncated to whole UTC seconds, so
    /// the verified credential equals the input only when its times already are.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// Kind <see cref="CredentialKind.None"/>, a kind this key is not bound to, or undefined enum values, empty or over-long (255 UTF-8 bytes)
    /// strings, an empty spot id (use null), a negative version, a time before 1970, or ValidTo before ValidFrom.
    /// </exception>
    public string Sign(Credential credential)
    {
        ArgumentNullException.ThrowIfNull(credential);
        if (credential.Kind == CredentialKind.None || !Enum.IsDefined(credential.Kind))
        {
            throw new ArgumentException($"A credential needs a kind (ticket, pass or permit), not {credential.Kind}.", nameof(credential));
        }

        if (!Kinds.Allows(credential.Kind))
        {
            throw new ArgumentException($"Key '{KeyId}' signs {Kinds} only, not a {credential.Kind}.", nameof(credential));
        }

        if (!Enum.IsDefined(credential.VehicleType))
        {
            throw new ArgumentException($"{credential.VehicleType} is not a vehicle type.", nameof(credential));
        }

        CheckText(credential.LotId, "credential.LotId", nameof(credential));
        CheckText(credential.Id, "credential.Id", nameof(credential));
        if (credential.SpotId is not null)
        {
            CheckText(credential.SpotId, "credential.SpotId", nameof(credential));
        }

        if (credential.Version < 0)
        {
            throw new ArgumentException("credential.Version must not be negative.", nameof(credential));
        }

        if (credential.ValidFrom < DateTimeOffset.UnixEpoch)
        {
            throw new ArgumentException("credential.ValidFrom must not be before 1970.", nameof(credential));
        }

        if (credential.ValidTo < credential.ValidFrom)
        {
            throw new ArgumentException("credential.ValidTo must not be before ValidFrom.", nameof(credential));
        }

        var signedText = CredentialCodec.SignedText(CredentialCodec.EncodePayload(KeyId, credential));
        byte[] signature;

        // ECDsa instances make no thread-safety promise; a gate may print while another verifies.
        lock (_privateKey)
        {
            signature = _privateKey.SignData(Encoding.ASCII.GetBytes(signedText), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }

        return CredentialCodec.Join(signedText, signature);
    }

    private static void CheckText(string value, string field, string paramName)
    {
        if (string.IsNullOrEmpty(value) || Encoding.UTF8.GetByteCount(value) > CredentialCodec.MaxStringBytes)
        {
            throw new ArgumentException($"{field} must be 1–{CredentialCodec.MaxStringBytes} UTF-8 bytes.", paramName);
        }
    }
}
