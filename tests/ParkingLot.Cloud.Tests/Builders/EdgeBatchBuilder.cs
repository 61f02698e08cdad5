using System.Text;
using System.Text.Json;
using ParkingLot.Shared;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Cloud.Tests.Builders;

/// <summary>
/// Plays an edge ledger: appends hash-chained events (LedgerHash.Compute, as the edge does) and
/// cuts them into <see cref="EdgeEventBatch"/>es by seq range.
/// </summary>
internal sealed class EdgeBatchBuilder(string lotId, long epoch = 1)
{
    private static readonly DateTimeOffset Start = new(2026, 11, 2, 8, 0, 0, TimeSpan.Zero);
    private readonly List<LedgerEvent> _events = [];

    public string LotId => lotId;

    public long Epoch => epoch;

    public long LastSeq => _events.Count;

    public EdgeBatchBuilder Occupancy(string spotId, VehicleType type, bool occupied) =>
        Append(EventTypes.OccupancyChanged, new OccupancyChanged(spotId, type, occupied, $"sensor-{spotId}"), ParkingLotJsonContext.Default.OccupancyChanged);

    public EdgeBatchBuilder Entered(VehicleType type, string ticketId) =>
        Append(EventTypes.VehicleEntered, new VehicleEntered("entry-1", ticketId, type, CredentialKind.None, null), ParkingLotJsonContext.Default.VehicleEntered);

    public EdgeBatchBuilder Exited(VehicleType type, string ticketId) =>
        Append(EventTypes.VehicleExited, new VehicleExited("exit-1", ticketId, type, new Money(350, "EUR"), "test-1"), ParkingLotJsonContext.Default.VehicleExited);

    public EdgeBatchBuilder Ticket(string ticketId) =>
        Append(EventTypes.TicketIssued, new TicketIssued(ticketId, "entry-1", VehicleType.Car, new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.FromHours(1)), "PL1.signed"), ParkingLotJsonContext.Default.TicketIssued);

    public EdgeBatchBuilder Payment(string paymentId, long minor, string currency = "EUR") =>
        Append(EventTypes.PaymentRecorded, new PaymentRecorded(paymentId, "T1", new Money(minor, currency), PaymentMethod.Cash, "test-1"), ParkingLotJsonContext.Default.PaymentRecorded);

    /// <summary>A copy of this ledger's first <paramref name="seq"/> events, to continue differently.</summary>
    public EdgeBatchBuilder Fork(long seq)
    {
        var fork = new EdgeBatchBuilder(lotId, epoch);
        fork._events.AddRange(_events.Take((int)seq));
        return fork;
    }

    /// <summary>Appends an event with a raw payload, hashed over exactly that text.</summary>
    public EdgeBatchBuilder Raw(string type, string payloadJson)
    {
        var seq = _events.Count + 1;
        var prev = _events.Count == 0 ? LedgerHash.Genesis : _events[^1].Hash;
        var id = Guid.NewGuid();
        var at = Start.AddSeconds(seq);
        var hash = LedgerHash.Compute(prev, seq, id, type, at, TimeQuality.Synced, payloadJson);
        using var payload = JsonDocument.Parse(payloadJson);
        _events.Add(new LedgerEvent(seq, id, type, at, TimeQuality.Synced, payload.RootElement.Clone(), prev, hash));
        return this;
    }

    /// <summary>Events <paramref name="from"/>..<paramref name="to"/> (inclusive) as one batch.</summary>
    public EdgeEventBatch Batch(long from, long to) =>
        new(lotId, epoch, from, to, _events.GetRange((int)from - 1, (int)(to - from + 1)));

    public EdgeEventBatch All() => Batch(1, LastSeq);

    public static string Json(EdgeEventBatch batch) => JsonSerializer.Serialize(batch, ParkingLotJsonContext.Default.EdgeEventBatch);

    public static byte[] Bytes(EdgeEventBatch batch) => Encoding.UTF8.GetBytes(Json(batch));

    // Hashed over the text a JsonElement re-emits inside a batch, as the edge ledger stores it:
    // the serializer leaves some characters unescaped that the batch writer escapes.
    private EdgeBatchBuilder Append<T>(string type, T payload, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo)
    {
        using var document = JsonDocument.Parse(JsonSerializer.SerializeToUtf8Bytes(payload, typeInfo));
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            document.RootElement.WriteTo(writer);
        }

        return Raw(type, Encoding.UTF8.GetString(buffer.WrittenSpan));
    }
}
