using System.Runtime.CompilerServices;
using Iot.Device.Mfrc522;
using Iot.Device.Pn532;
using Iot.Device.Pn532.ListPassive;
using Iot.Device.Rfid;

namespace ParkingLot.Edge.Hardware.Nfc;

/// <summary>A card held to the reader: its UID (hex) and the permit it belongs to, if any.</summary>
internal sealed record PermitCard(string Uid, string? PermitId);

internal interface IPermitReader : IReportsHealth
{
    /// <summary>One item per presentation: a card held still is reported once, again only after it was taken away.</summary>
    IAsyncEnumerable<PermitCard> ReadCardsAsync(CancellationToken cancellationToken);
}

/// <summary>
/// The polling, de-duplication and UID→permit mapping every reader shares; a subclass only says
/// how to ask its chip for a UID. The simulated reader is such a subclass, so the lane sees the same
/// behaviour in tests as at the gate. A UID alone is a weak credential (cloneable); permits map it
/// to a holder, and the lane still checks the permit's validity and lease.
/// </summary>
internal abstract class PollingPermitReader(string id, IReadOnlyDictionary<string, string> permitsByUid, TimeSpan pollInterval, TimeProvider time)
    : IPermitReader
{
    /// <summary>Polls without a card before a held card counts as removed (one missed poll is RF noise).</summary>
    private const int PollsToRemove = 2;

    private int _failures;

    public string Id { get; } = id;

    public async IAsyncEnumerable<PermitCard> ReadCardsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(pollInterval, time);
        string? held = null;
        var absent = 0;
        while (await Tick(timer, cancellationToken))
        {
            if (!TryPoll(out var uid))
            {
                if (held is not null && ++absent >= PollsToRemove)
                {
                    held = null;
                }

                continue;
            }

            absent = 0;
            if (uid == held)
            {
                continue;
            }

            held = uid;
            yield return new PermitCard(uid, permitsByUid.GetValueOrDefault(uid));
        }
    }

    public DeviceHealth GetHealth()
    {
        var failures = Volatile.Read(ref _failures);
        return failures == 0
            ? DeviceHealth.Ok(Id, DeviceKind.NfcReader, "polling")
            : new DeviceHealth(Id, DeviceKind.NfcReader, failures < 10 ? DeviceState.Degraded : DeviceState.Faulted,
                $"{failures} failed poll(s) in a row", "check the reader's SPI/I2C/UART wiring and that the interface switches on the module match");
    }

    /// <summary>Asks the chip for one ISO 14443A card; false when none is in the field.</summary>
    protected abstract bool TryReadUid(out byte[] uid);

    private static async Task<bool> Tick(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private bool TryPoll(out string uid)
    {
        uid = string.Empty;
        try
        {
            if (!TryReadUid(out var raw) || raw.Length == 0)
            {
                Volatile.Write(ref _failures, 0);
                return false;
            }

            Volatile.Write(ref _failures, 0);
            uid = Convert.ToHexString(raw);
            return true;
        }
        catch (Exception e) when (e is IOException or TimeoutException or InvalidOperationException)
        {
            Interlocked.Increment(ref _failures);
            return false;
        }
    }
}

/// <summary>PN532 (I2C, SPI or HSU) through Iot.Device.Pn532: InListPassiveTarget for one 106 kbps type A target.</summary>
internal sealed class Pn532PermitReader(string id, Pn532 pn532, IReadOnlyDictionary<string, string> permitsByUid, TimeProvider time, bool shouldDispose = true)
    : PollingPermitReader(id, permitsByUid, TimeSpan.FromMilliseconds(250), time), IDisposable
{
    public void Dispose()
    {
        if (shouldDispose)
        {
            pn532.Dispose();
        }
    }

    protected override bool TryReadUid(out byte[] uid)
    {
        uid = [];
        var reply = pn532.ListPassiveTarget(MaxTarget.One, TargetBaudRate.B106kbpsTypeA);
        if (reply is not { Length: > 1 })
        {
            return false;
        }

        // reply[0] is the number of targets found; the target data follows.
        var card = pn532.TryDecode106kbpsTypeA(reply.AsSpan(1));
        if (card?.NfcId is not { Length: > 0 } nfcId)
        {
            return false;
        }

        uid = nfcId;
        return true;
    }
}

/// <summary>
/// MFRC522 (SPI) through Iot.Device.Mfrc522. ListenToCardIso14443TypeA blocks for its timeout, so
/// the timeout is short (30 ms; REQA/anticollision/select take ~5 ms per the MFRC522 datasheet §9.3)
/// and the poll interval carries the pacing.
/// </summary>
internal sealed class Mfrc522PermitReader(string id, MfRc522 mfrc522, IReadOnlyDictionary<string, string> permitsByUid, TimeProvider time, bool shouldDispose = true)
    : PollingPermitReader(id, permitsByUid, TimeSpan.FromMilliseconds(250), time), IDisposable
{
    private static readonly TimeSpan ListenTimeout = TimeSpan.FromMilliseconds(30);

    public void Dispose()
    {
        if (shouldDispose)
        {
            mfrc522.Dispose();
        }
    }

    protected override bool TryReadUid(out byte[] uid)
    {
        uid = [];
        if (!mfrc522.ListenToCardIso14443TypeA(out Data106kbpsTypeA card, ListenTimeout) || card.NfcId is not { Length: > 0 })
        {
            return false;
        }

        uid = card.NfcId;

        // Halt the card so it does not answer the next REQA while still held: the de-duplication
        // then rests on our poll bookkeeping rather than on the card's state machine.
        mfrc522.Halt();
        return true;
    }
}

/// <summary>A reader where tests and the simulator hold a card to the antenna.</summary>
internal sealed class SimulatedPermitReader(string id, IReadOnlyDictionary<string, string> permitsByUid, TimeProvider time, TimeSpan? pollInterval = null)
    : PollingPermitReader(id, permitsByUid, pollInterval ?? TimeSpan.FromMilliseconds(250), time)
{
    private byte[]? _card;

    /// <summary>Holds a card with <paramref name="uid"/> to the reader until <see cref="Remove"/>.</summary>
    public void Present(byte[] uid) => Volatile.Write(ref _card, uid);

    public void Remove() => Volatile.Write(ref _card, null);

    protected override bool TryReadUid(out byte[] uid)
    {
        uid = Volatile.Read(ref _card) ?? [];
        return uid.Length > 0;
    }
}
