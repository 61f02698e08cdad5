using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace ParkingLot.Shared.Credentials;

/// <summary>
/// ECDSA P-256 keys for credential signatures. Public keys travel as base64 SubjectPublicKeyInfo (the
/// cloud publishes them on <c>cloud/config</c>); private keys are stored as PKCS#8 PEM.
/// </summary>
public static class CredentialKeys
{
    /// <summary>A new P-256 key pair. The caller owns (and disposes) it.</summary>
    public static ECDsa CreateKeyPair() => ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>Base64 SubjectPublicKeyInfo of <paramref name="key"/>.</summary>
    public static string ExportPublicKey(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Convert.ToBase64String(key.ExportSubjectPublicKeyInfo());
    }

    /// <summary>Reads a base64 SubjectPublicKeyInfo P-256 key.</summary>
    /// <exception cref="FormatException">Not base64, not a public key, or not P-256.</exception>
    public static ECDsa ImportPublicKey(string base64SubjectPublicKeyInfo) =>
        TryImportPublicKey(base64SubjectPublicKeyInfo, out var key, out var error)
            ? key
            : throw new FormatException(error);

    /// <summary>Non-throwing <see cref="ImportPublicKey"/> for checking configuration; <paramref name="error"/> says what is wrong.</summary>
    public static bool TryImportPublicKey(string? base64SubjectPublicKeyInfo, [NotNullWhen(true)] out ECDsa? key, [NotNullWhen(false)] out string? error)
    {
        key = null;
        error = null;
        if (string.IsNullOrWhiteSpace(base64SubjectPublicKeyInfo))
        {
            error = "The public key is empty.";
            return false;
        }

        var bytes = new byte[base64SubjectPublicKeyInfo.Length];
        if (!Convert.TryFromBase64String(base64SubjectPublicKeyInfo.Trim(), bytes, out var length))
        {
            error = "The public key is not base64.";
            return false;
        }

        var candidate = ECDsa.Create();
        try
        {
            candidate.ImportSubjectPublicKeyInfo(bytes.AsSpan(0, length), out var read);
            if (read != length || !IsP256(candidate))
            {
                candidate.Dispose();
                error = "The public key is not a P-256 SubjectPublicKeyInfo.";
                return false;
            }

            key = candidate;
            return true;
        }
        catch (CryptographicException)
        {
            candidate.Dispose();
            error = "The public key is not a P-256 SubjectPublicKeyInfo.";
            return false;
        }
    }

    /// <summary>PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----") of <paramref name="key"/>; keep it out of logs.</summary>
    public static string ExportPrivateKeyPem(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.ExportPkcs8PrivateKeyPem();
    }

    /// <summary>Reads a P-256 private key from PEM (PKCS#8 or SEC1 "EC PRIVATE KEY").</summary>
    /// <exception cref="FormatException">Not a PEM private key, or not P-256.</exception>
    public static ECDsa ImportPrivateKeyPem(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new FormatException("The private key is not a PEM-encoded EC private key.", ex);
        }

        if (!IsP256(key))
        {
            key.Dispose();
            throw new FormatException("The private key is not on curve P-256.");
        }

        return key;
    }

    internal static bool IsP256(ECDsa key)
    {
        if (key.KeySize != 256)
        {
            return false;
        }

        var curve = key.ExportParameters(includePrivateParameters: false).Curve;
        // OpenSSL reports the OID; other platforms may report only the friendly name.
        return curve.IsNamed
            && (curve.Oid.Value == "1.2.840.10045.3.1.7" || curve.Oid.FriendlyName is "nistP256" or "ECDSA_P256");
    }
}
