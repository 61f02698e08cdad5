using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using ParkingLot.Cloud.Storage;
using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Credentials;

namespace ParkingLot.Cloud.Bookings;

/// <summary>
/// Signs reservation passes with the cloud's P-256 key (I3: a gate verifies them offline with the
/// public key). The key comes from <c>Passes:SigningKeyPem</c>, or is generated once and kept in the
/// data directory. Its id is derived from the public key, so every holder of the key agrees on it.
/// </summary>
internal sealed class PassSigner : IDisposable
{
    public const string KeyFileName = "pass-signing-key.pem";

    private readonly ECDsa _key;
    private readonly CredentialSigner _signer;

    public PassSigner(IOptions<PassesOptions> passes, IOptions<StorageOptions> storage)
    {
        _key = LoadOrCreate(passes.Value.SigningKeyPem, Path.Combine(Path.GetFullPath(storage.Value.DataDirectory), KeyFileName));
        PublicKey = CredentialKeys.ExportPublicKey(_key);
        KeyId = "cloud-" + Convert.ToHexStringLower(SHA256.HashData(Convert.FromBase64String(PublicKey)))[..12];
        _signer = new CredentialSigner(KeyId, _key, CredentialKinds.Cloud);
    }

    public string KeyId { get; }

    /// <summary>Base64 SubjectPublicKeyInfo: what edges need to verify passes.</summary>
    public string PublicKey { get; }

    /// <summary>The pass of a booking: its lot, spot, vehicle type, window and version.</summary>
    public string Sign(Booking booking) => _signer.Sign(new Credential(
        CredentialKind.Pass, booking.LotId, booking.Id.ToString("D"), booking.VehicleType, booking.SpotId,
        booking.StartTime, booking.EndTime, booking.Version));

    public void Dispose() => _key.Dispose();

    private static ECDsa LoadOrCreate(string? pem, string path)
    {
        if (!string.IsNullOrWhiteSpace(pem))
        {
            return CredentialKeys.ImportPrivateKeyPem(pem);
        }

        if (File.Exists(path))
        {
            return CredentialKeys.ImportPrivateKeyPem(File.ReadAllText(path));
        }

        var key = CredentialKeys.CreateKeyPair();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // Write to a temporary file and move it: two instances starting at once never read half a key.
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllText(temporary, CredentialKeys.ExportPrivateKeyPem(key));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        try
        {
            File.Move(temporary, path, overwrite: false);
            return key;
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another instance won the race: use its key.
            File.Delete(temporary);
            key.Dispose();
            return CredentialKeys.ImportPrivateKeyPem(File.ReadAllText(path));
        }
    }
}
