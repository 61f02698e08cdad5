using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using ParkingLot.Edge.Lots;
using ParkingLot.Edge.Time;
using ParkingLot.Shared.Contracts;
using ParkingLot.Shared.Credentials;

namespace ParkingLot.Edge.Gates;

/// <summary>Lane timing (configuration section <c>Lanes</c>).</summary>
internal sealed class LaneOptions
{
    public const string Section = "Lanes";

    /// <summary>
    /// A code scanned or card held up to this long before the vehicle reached the loop still counts for
    /// that vehicle (drivers reach for the reader as they roll up). Default 10 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan PresentedBefore { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// When the loop clears with the barrier open and the passage sensor has not seen the vehicle, how
    /// long to wait for it before the vehicle counts as withdrawn (it reversed away). Default 3 s:
    /// longer than the gap between loop and beam at walking pace.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00")]
    public TimeSpan WithdrawGrace { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// How long the passage beam and loop B must both have been clear before the arm closes after a
    /// vehicle. Default 1 s: longer than the gap between a car and its trailer or caravan (a tow bar
    /// is under 1.5 m, crossed in well under a second at gate speed), short enough that the next
    /// car does not drive in behind. Any activation restarts it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:00:10")]
    public TimeSpan ClearHold { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>What every lane of the lot shares: the lot, keys, permits, trusted time and the walk-in admission lock.</summary>
internal sealed class LaneContext(
    LotFile lot,
    TicketSigner signer,
    CredentialKeyRing keys,
    IPermitDirectory permits,
    LaneOptions options,
    TrustedClock? trustedClock = null)
{
    public LotFile Lot { get; } = lot;

    public TicketSigner Signer { get; } = signer;

    public CredentialKeyRing Keys { get; } = keys;

    public IPermitDirectory Permits { get; } = permits;

    public LaneOptions Options { get; } = options;

    /// <summary>
    /// Held from the walk-in capacity check until the admission is in the ledger, so two entry lanes
    /// cannot both admit into the last walk-in space (I2).
    /// </summary>
    public SemaphoreSlim AdmissionLock { get; } = new(1, 1);

    /// <summary>The trusted-time interval at <paramref name="now"/>; without a trusted clock the clock itself (tests).</summary>
    public TrustedInterval Interval(DateTimeOffset now) => trustedClock?.Current ?? new TrustedInterval(now, now, TimeQuality.Synced);
}

/// <summary>A permit: its holder's vehicle type may use the lot from <see cref="ValidFrom"/> until <see cref="ValidUntil"/>.</summary>
internal sealed record Permit(string PermitId, VehicleType VehicleType, DateTimeOffset? ValidFrom, DateTimeOffset ValidUntil);

/// <summary>Permits known at this edge (lot file, cloud leases), by permit id.</summary>
internal interface IPermitDirectory
{
    Permit? Find(string permitId);
}

/// <summary>An in-memory permit list; <see cref="Set"/> replaces or adds one (the sync code calls it on a lease delta).</summary>
internal sealed class PermitDirectory(IEnumerable<Permit>? permits = null) : IPermitDirectory
{
    private readonly Dictionary<string, Permit> _permits = (permits ?? []).ToDictionary(p => p.PermitId, StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public Permit? Find(string permitId)
    {
        lock (_lock)
        {
            return _permits.GetValueOrDefault(permitId);
        }
    }

    public void Set(Permit permit)
    {
        lock (_lock)
        {
            _permits[permit.PermitId] = permit;
        }
    }
}

/// <summary>
/// The public keys the lanes trust: the edge's own ticket key, and the cloud's pass and permit keys
/// (from configuration now; the sync code adds them with <see cref="Trust"/> when <c>cloud/config</c>
/// arrives). Verification is offline (I3) and lenient on time for the holder: a window counts when it
/// may intersect the trusted-time interval (DESIGN §5), and is refused only when it surely does not.
/// </summary>
internal sealed class CredentialKeyRing : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, TrustedKey> _keys = new(StringComparer.Ordinal);
    private CredentialVerifier _verifier = new(new Dictionary<string, TrustedKey>());

    public CredentialKeyRing(TicketSigner signer, IReadOnlyDictionary<string, string>? trusted = null)
    {
        Trust(signer.KeyId, signer.PublicKey, CredentialKinds.Ticket);
        foreach (var (keyId, publicKey) in trusted ?? new Dictionary<string, string>())
        {
            Trust(keyId, publicKey);
        }
    }

    /// <summary>
    /// Trusts <paramref name="base64PublicKey"/> (SubjectPublicKeyInfo) under <paramref name="keyId"/>;
    /// replaces an older key of that id (the old one is left to the GC: a lane may be verifying with it).
    /// The key vouches only for <paramref name="kinds"/>: cloud keys (the default) for passes and permits.
    /// </summary>
    /// <exception cref="FormatException">Not a P-256 public key.</exception>
    public void Trust(string keyId, string base64PublicKey, CredentialKinds kinds = CredentialKinds.Cloud)
    {
        var key = CredentialKeys.ImportPublicKey(base64PublicKey);
        lock (_lock)
        {
            _keys[keyId] = new TrustedKey(key, kinds);
            _verifier = new CredentialVerifier(_keys);
        }
    }

    /// <summary>
    /// Checks <paramref name="code"/> for <paramref name="lotId"/>. Signature and lot as
    /// <see cref="CredentialVerifier"/> checks them; the validity window against
    /// <paramref name="interval"/>: valid while it may intersect, expired only when it ended at or
    /// before the interval's lower bound, not yet valid only when it starts after the upper bound.
    /// </summary>
    public CredentialCheck Verify(string code, string lotId, TrustedInterval interval)
    {
        CredentialVerifier verifier;
        lock (_lock)
        {
            verifier = _verifier;
        }

        var check = verifier.Verify(code, lotId, interval.Lo);
        if (check.Status is not (CredentialStatus.Valid or CredentialStatus.NotYetValid or CredentialStatus.Expired) || check.Credential is not { } credential)
        {
            return check;
        }

        if (interval.MayIntersect(credential.ValidFrom, credential.ValidTo))
        {
            return check.Status == CredentialStatus.Valid ? check : new CredentialCheck(CredentialStatus.Valid, credential, $"{Noun(credential.Kind)} is valid.");
        }

        // Surely outside: the verifier's own sentence at a time that shows it.
        return credential.ValidTo is { } end && end <= interval.LenientLo
            ? verifier.Verify(code, lotId, interval.LenientLo)
            : verifier.Verify(code, lotId, interval.Hi ?? interval.Lo);
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var key in _keys.Values)
            {
                key.PublicKey.Dispose();
            }

            _keys.Clear();
        }
    }

    private static string Noun(CredentialKind kind) => kind switch
    {
        CredentialKind.Ticket => "Ticket",
        CredentialKind.Pass => "Pass",
        CredentialKind.Permit => "Permit",
        _ => "Code",
    };
}
