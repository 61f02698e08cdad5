using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ParkingLot.Shared.Contracts;

/// <summary>
/// One event of a lot's ledger as it travels edge → cloud. <see cref="Seq"/> is the per-lot,
/// per-epoch sequence number (gap-free, from 1); <see cref="Hash"/> chains it to its predecessor
/// (<see cref="LedgerHash"/>). <see cref="Payload"/> is the type-specific body (see <see cref="EventTypes"/>).
/// </summary>
public sealed record LedgerEvent(
    long Seq,
    Guid Id,
    string Type,
    DateTimeOffset OccurredAt,
    TimeQuality TimeQuality,
    JsonElement Payload,
    string PrevHash,
    string Hash);

/// <summary>A batch of consecutive ledger events published on <c>edge/events</c>.</summary>
public sealed record EdgeEventBatch(
    string LotId,
    long Epoch,
    long SeqFrom,
    long SeqTo,
    IReadOnlyList<LedgerEvent> Events);

/// <summary>Cloud → edge acknowledgement: every event of <see cref="Epoch"/> up to <see cref="Seq"/> is applied.</summary>
public sealed record CloudAck(long Epoch, long Seq);

/// <summary>Edge birth/heartbeat on <c>edge/state</c> (retained); with <see cref="Online"/> false it is the last will.</summary>
public sealed record EdgeState(
    string LotId,
    bool Online,
    string AgentVersion,
    Guid BootId,
    long Epoch,
    long LastSeq,
    long Backlog,
    TimeQuality TimeQuality,
    DateTimeOffset SentAt);

/// <summary>The hash chain of the ledger (invariant I7).</summary>
public static class LedgerHash
{
    /// <summary>The predecessor hash of the first event of an epoch.</summary>
    public static readonly string Genesis = new('0', 64);

    /// <summary>
    /// Lower-case hex SHA-256 over the predecessor's hash and every field of the event. The payload
    /// is hashed as the exact JSON text stored in the ledger, so any edit to it changes the hash.
    /// </summary>
    public static string Compute(string prevHash, long seq, Guid id, string type, DateTimeOffset occurredAt, TimeQuality timeQuality, string payloadJson)
    {
        var text = string.Join(
            '\n',
            prevHash,
            seq.ToString(System.Globalization.CultureInfo.InvariantCulture),
            id.ToString("N"),
            type,
            occurredAt.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            timeQuality.ToString(),
            payloadJson);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>True when <paramref name="e"/> carries the hash its fields produce.</summary>
    public static bool Matches(LedgerEvent e) =>
        string.Equals(e.Hash, Compute(e.PrevHash, e.Seq, e.Id, e.Type, e.OccurredAt, e.TimeQuality, e.Payload.GetRawText()), StringComparison.Ordinal);
}
