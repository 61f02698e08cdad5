using System.Security.Cryptography;
using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Credentials;

namespace ParkingLot.Edge.Gates;

/// <summary>
/// Signs paper tickets with the lot's edge key (invariant I3: any gate of the lot and the cloud can
/// verify them offline). The key is created once, on first start, in the data folder
/// (<c>ticket-signing-key.pem</c>, owner-only) with its public half beside it
/// (<c>ticket-signing-key.pub</c>, base64 SubjectPublicKeyInfo) for the cloud's verifier.
/// </summary>
internal sealed class TicketSigner : IDisposable
{
    public const string PrivateKeyFile = "ticket-signing-key.pem";
    public const string PublicKeyFile = "ticket-signing-key.pub";

    private readonly ECDsa _key;
    private readonly CredentialSigner _signer;
    private readonly string _lotId;

    private TicketSigner(string lotId, ECDsa key)
    {
        _lotId = lotId;
        _key = key;
        KeyId = $"edge-{lotId}-{Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()))[..8]}";
        _signer = new CredentialSigner(KeyId, key, CredentialKinds.Ticket);
    }

    /// <summary>Key id embedded in every ticket code.</summary>
    public string KeyId { get; }

    /// <summary>Base64 SubjectPublicKeyInfo of the key, for verifiers.</summary>
    public string PublicKey => CredentialKeys.ExportPublicKey(_key);

    /// <summary>Loads the key from <paramref name="dataDirectory"/>, creating it on first use; <paramref name="created"/> tells which.</summary>
    public static TicketSigner LoadOrCreate(string dataDirectory, string lotId, out bool created)
    {
        Directory.CreateDirectory(dataDirectory);
        var privatePath = Path.Combine(dataDirectory, PrivateKeyFile);
        created = !File.Exists(privatePath);
        ECDsa key;
        if (created)
        {
            key = CredentialKeys.CreateKeyPair();

            // Write to a temporary file and rename, so a crash never leaves half a key behind.
            var temporary = privatePath + ".tmp";
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(temporary, options))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(CredentialKeys.ExportPrivateKeyPem(key));
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, privatePath, overwrite: true);
        }
        else
        {
            key = CredentialKeys.ImportPrivateKeyPem(File.ReadAllText(privatePath));
        }

        var signer = new TicketSigner(lotId, key);
        File.WriteAllText(Path.Combine(dataDirectory, PublicKeyFile), signer.PublicKey + Environment.NewLine);
        return signer;
    }

    /// <summary>The signed code printed on ticket <paramref name="ticketId"/>.</summary>
    public string Sign(string ticketId, VehicleType vehicleType, DateTimeOffset issuedAt) =>
        _signer.Sign(new Credential(CredentialKind.Ticket, _lotId, ticketId, vehicleType, null, issuedAt, null, 0));

    public void Dispose() => _key.Dispose();
}
