using System.Security.Cryptography;
using ParkingLot.Edge.Gates;
using ParkingLot.Edge.Lots;
using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Credentials;

namespace ParkingLot.Edge.Simulation;

/// <summary>
/// Stands in for the cloud in simulation: signs reservation passes and permit codes with a key of its
/// own (kept in the data folder, so passes of vehicles inside still verify after a restart), and
/// holds a few permit cards. The lanes trust its public key as they would trust the cloud's.
/// </summary>
internal sealed class SimulatedCloudIssuer : IDisposable
{
    public const string KeyFile = "simulated-cloud-key.pem";

    private readonly ECDsa _key;
    private readonly CredentialSigner _signer;
    private readonly string _lotId;

    public SimulatedCloudIssuer(string dataDirectory, LotFile lot, int permitsPerType = 2)
    {
        Directory.CreateDirectory(dataDirectory);
        var path = Path.Combine(dataDirectory, KeyFile);
        if (File.Exists(path))
        {
            _key = CredentialKeys.ImportPrivateKeyPem(File.ReadAllText(path));
        }
        else
        {
            _key = CredentialKeys.CreateKeyPair();
            // Synced before the rename: after a power cut the key is whole or absent, never empty
            // (PowerLossTests found an empty key file that stopped the agent from starting).
            using (var stream = new FileStream(path + ".tmp", FileMode.Create, FileAccess.Write))
            {
                stream.Write(System.Text.Encoding.ASCII.GetBytes(CredentialKeys.ExportPrivateKeyPem(_key)));
                stream.Flush(flushToDisk: true);
            }

            File.Move(path + ".tmp", path, overwrite: true);
        }

        _lotId = lot.LotId;
        KeyId = "sim-cloud-" + Convert.ToHexStringLower(SHA256.HashData(_key.ExportSubjectPublicKeyInfo()))[..8];
        _signer = new CredentialSigner(KeyId, _key, CredentialKinds.Cloud);

        // Permit cards: a fixed UID per permit so a restarted simulator holds the same cards.
        var permits = new List<(string Uid, Permit Permit)>();
        foreach (var type in lot.Spots.Select(s => s.VehicleType).Distinct().Where(t => lot.Tariff.VehicleTypes.ContainsKey(t)))
        {
            for (var i = 1; i <= permitsPerType; i++)
            {
                var id = $"PERMIT-{LotFileLoader.VehicleTypeName(type).ToUpperInvariant()}-{i}";
                var uid = Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(lot.LotId + id)))[..14];
                permits.Add((uid, new Permit(id, type, null, new DateTimeOffset(2100, 1, 1, 0, 0, 0, TimeSpan.Zero))));
            }
        }

        PermitCards = permits;
        PermitsByUid = permits.ToDictionary(p => p.Uid, p => p.Permit.PermitId, StringComparer.Ordinal);
    }

    public string KeyId { get; }

    public string PublicKey => CredentialKeys.ExportPublicKey(_key);

    /// <summary>Permit cards (UID as upper-case hex) with their permits.</summary>
    public IReadOnlyList<(string Uid, Permit Permit)> PermitCards { get; }

    public IReadOnlyDictionary<string, string> PermitsByUid { get; }

    /// <summary>A reservation pass for booking <paramref name="bookingId"/>, valid [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public string Pass(string bookingId, VehicleType vehicleType, DateTimeOffset from, DateTimeOffset to, string? lotId = null) =>
        _signer.Sign(new Credential(CredentialKind.Pass, lotId ?? _lotId, bookingId, vehicleType, null, from, to, 1));

    public void Dispose() => _key.Dispose();
}
