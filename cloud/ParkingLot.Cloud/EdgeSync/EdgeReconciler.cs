using System.Text.Json;
using ParkingLot.Cloud.Availability;
using ParkingLot.Shared;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Cloud.EdgeSync;

/// <summary>
/// Applies edge ledger batches exactly once (I4) and rejects bad ones without changing anything (I9).
/// Transport-free: the MQTT consumer, the tests and the benchmarks call <see cref="IngestAsync"/>
/// with a topic and the payload bytes, and publish the returned ack themselves.
/// </summary>
internal sealed class EdgeReconciler(
    IEdgeSyncStore store,
    IAvailabilityCache availabilityCache,
    EdgeSyncMetrics metrics,
    TimeProvider timeProvider,
    ILogger<EdgeReconciler> logger)
{
    private const string EventsSuffix = "edge/events";
    private const string StateSuffix = "edge/state";

    /// <summary>
    /// Validates and applies one <c>parking/v1/lots/{lotId}/edge/events</c> message in one
    /// transaction. Throws only for infrastructure failures (store down, cancellation); then nothing
    /// was committed and the caller must not acknowledge the message.
    /// </summary>
    public async Task<IngestResult> IngestAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var result = await IngestCoreAsync(topic, payload, cancellationToken);
        metrics.Record(result);
        switch (result.Outcome)
        {
            case IngestOutcome.Rejected:
                Log.BatchRejected(logger, topic, result.Reason.Tag(), result.Detail ?? string.Empty);
                break;
            case IngestOutcome.Gap:
                Log.BatchGap(logger, result.LotId!, result.Ack!.Epoch, result.Ack.Seq, result.Detail ?? string.Empty);
                break;
            case IngestOutcome.Duplicate:
                Log.BatchDuplicate(logger, result.LotId!, result.Ack!.Epoch, result.DuplicateEvents, result.Ack.Seq);
                break;
            default:
                Log.BatchApplied(logger, result.LotId!, result.Ack!.Epoch, result.AppliedEvents, result.DuplicateEvents, result.Ack.Seq);
                break;
        }

        return result;
    }

    /// <summary>Records a <c>parking/v1/lots/{lotId}/edge/state</c> message; false when it was rejected.</summary>
    public async Task<bool> RecordStateAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (payload.IsEmpty)
        {
            // An empty retained message clears the topic; there is no state in it.
            return false;
        }

        string? problem = null;
        if (!Topics.TryParseLotTopic(topic, out var lotId, out var rest) || rest != StateSuffix)
        {
            problem = "not an edge/state topic";
        }
        else if (!TryDeserialize(payload, ParkingLotJsonContext.Default.EdgeState, out var state, out var error))
        {
            problem = error;
        }
        else if (!string.Equals(state.LotId, lotId, StringComparison.Ordinal))
        {
            problem = $"body lot '{state.LotId}' is not the topic's lot";
        }
        else if (!await store.RecordEdgeStateAsync(state, timeProvider.GetUtcNow(), cancellationToken))
        {
            problem = "unknown lot";
        }
        else
        {
            Log.EdgeStateRecorded(logger, lotId, state.Online, state.Epoch, state.LastSeq, state.Backlog);
            return true;
        }

        metrics.StateRejected();
        Log.EdgeStateRejected(logger, topic, problem);
        return false;
    }

    /// <summary>The newest epoch's ack of every lot (re-published when the cloud connects to a broker).</summary>
    public Task<IReadOnlyList<LotAck>> ListLatestAcksAsync(CancellationToken cancellationToken) => store.ListLatestAcksAsync(cancellationToken);

    private async Task<IngestResult> IngestCoreAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (!Topics.TryParseLotTopic(topic, out var lotId, out var rest) || rest != EventsSuffix)
        {
            return IngestResult.Reject(null, RejectReason.Topic, "not an edge/events topic");
        }

        if (!TryDeserialize(payload, ParkingLotJsonContext.Default.EdgeEventBatch, out var batch, out var error))
        {
            return IngestResult.Reject(lotId, RejectReason.Malformed, error);
        }

        if (!string.Equals(batch.LotId, lotId, StringComparison.Ordinal))
        {
            return IngestResult.Reject(lotId, RejectReason.LotMismatch, $"body lot '{batch.LotId}' is not the topic's lot");
        }

        if (ValidateBatch(batch, out var payloads) is { } invalid)
        {
            return IngestResult.Reject(lotId, invalid.Reason, invalid.Detail);
        }

        await using var transaction = await store.BeginAsync(lotId, batch.Epoch, cancellationToken);
        if (transaction is null)
        {
            return IngestResult.Reject(lotId, RejectReason.UnknownLot, "no such lot");
        }

        var cursor = transaction.Cursor;
        if (batch.SeqFrom > cursor.HighWater + 1)
        {
            return new IngestResult(
                IngestOutcome.Gap, lotId, new CloudAck(batch.Epoch, cursor.HighWater), 0, 0,
                Detail: $"batch starts at {batch.SeqFrom}, high-water is {cursor.HighWater}");
        }

        var duplicates = (int)Math.Clamp(cursor.HighWater - batch.SeqFrom + 1, 0, batch.Events.Count);
        if (duplicates > 0)
        {
            // A re-sent event must be the one we stored: a different hash means the edge ledger was
            // rewritten under the same epoch, which no reconciliation may paper over. Comparing the
            // last re-sent event is enough: its hash covers every predecessor through the chain.
            var lastDuplicate = batch.Events[duplicates - 1];
            var stored = await transaction.GetEventHashAsync(lastDuplicate.Seq, cancellationToken);
            if (!string.Equals(stored, lastDuplicate.Hash, StringComparison.Ordinal))
            {
                return IngestResult.Reject(lotId, RejectReason.Conflict, $"seq {lastDuplicate.Seq} differs from the applied event");
            }
        }

        if (duplicates == batch.Events.Count)
        {
            return new IngestResult(IngestOutcome.Duplicate, lotId, new CloudAck(batch.Epoch, cursor.HighWater), 0, duplicates);
        }

        var first = batch.Events[duplicates];
        if (!string.Equals(first.PrevHash, cursor.LastHash, StringComparison.Ordinal))
        {
            return IngestResult.Reject(lotId, RejectReason.Chain, $"seq {first.Seq} does not link to the applied seq {cursor.HighWater}");
        }

        var now = timeProvider.GetUtcNow();
        for (var i = duplicates; i < batch.Events.Count; i++)
        {
            var e = batch.Events[i];
            await transaction.InsertEventAsync(e, now, cancellationToken);
            await ApplyDerivedStateAsync(transaction, lotId, e, payloads[i], cancellationToken);
        }

        var last = batch.Events[^1];
        await transaction.AdvanceCursorAsync(new EdgeCursor(last.Seq, last.Hash), now, cancellationToken);
        var availability = await transaction.ReadAvailabilityAsync(now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        // After the commit: a crash here leaves the cache behind the store, and the next miss or
        // batch brings it back; the reverse order could show availability that was never committed.
        await availabilityCache.SetAsync(availability, cancellationToken);
        return new IngestResult(IngestOutcome.Applied, lotId, new CloudAck(batch.Epoch, last.Seq), batch.Events.Count - duplicates, duplicates);
    }

    private async Task ApplyDerivedStateAsync(IEdgeSyncTransaction transaction, string lotId, LedgerEvent e, object? payload, CancellationToken cancellationToken)
    {
        switch (payload)
        {
            case OccupancyChanged occupancy:
                if (!await transaction.SetSpotOccupancyAsync(occupancy.SpotId, occupancy.Occupied, cancellationToken))
                {
                    // The event is kept (the ledger is the truth); the lot file is behind the edge's.
                    Log.UnknownSpot(logger, lotId, e.Seq, occupancy.SpotId);
                }

                break;
            case VehicleEntered entered:
                await transaction.AddVehiclesInAsync(entered.VehicleType, +1, cancellationToken);
                break;
            case VehicleExited exited:
                await transaction.AddVehiclesInAsync(exited.VehicleType, -1, cancellationToken);
                break;
            case PaymentRecorded payment:
                await transaction.InsertPaymentAsync(e.Seq, e.OccurredAt, payment, cancellationToken);
                break;
        }
    }

    /// <summary>The checks that need no store: sequence shape, hashes, the chain inside the batch, payloads.</summary>
    /// <remarks><paramref name="payloads"/> holds each event's parsed payload (null for unknown types), so apply parses nothing twice.</remarks>
    private static (RejectReason Reason, string Detail)? ValidateBatch(EdgeEventBatch batch, out object?[] payloads)
    {
        payloads = [];
        if (batch.Epoch < 0)
        {
            return (RejectReason.Sequence, $"epoch {batch.Epoch} is negative");
        }

        if (batch.Events.Count == 0 || batch.SeqFrom < 1 || batch.SeqTo != batch.SeqFrom + batch.Events.Count - 1)
        {
            return (RejectReason.Sequence, $"seqFrom {batch.SeqFrom}, seqTo {batch.SeqTo} and {batch.Events.Count} events do not agree");
        }

        payloads = new object?[batch.Events.Count];
        for (var i = 0; i < batch.Events.Count; i++)
        {
            var e = batch.Events[i];
            if (e is null)
            {
                return (RejectReason.Malformed, $"event {i} is null");
            }

            if (e.Seq != batch.SeqFrom + i)
            {
                return (RejectReason.Sequence, $"event {i} has seq {e.Seq}, expected {batch.SeqFrom + i}");
            }

            if (!LedgerHash.Matches(e))
            {
                return (RejectReason.Hash, $"seq {e.Seq} does not carry the hash of its fields");
            }

            if (i > 0 && !string.Equals(e.PrevHash, batch.Events[i - 1].Hash, StringComparison.Ordinal))
            {
                return (RejectReason.Chain, $"seq {e.Seq} does not link to seq {e.Seq - 1}");
            }

            if (ValidatePayload(e, out payloads[i]) is { } problem)
            {
                return (RejectReason.Payload, $"seq {e.Seq} ({e.Type}): {problem}");
            }
        }

        return null;
    }

    /// <summary>Known types must carry a complete payload; unknown types are stored untouched (forward compatibility).</summary>
    private static string? ValidatePayload(LedgerEvent e, out object? parsed)
    {
        parsed = null;
        try
        {
            parsed = e.Type switch
            {
                EventTypes.OccupancyChanged => e.Payload.Deserialize(ParkingLotJsonContext.Default.OccupancyChanged),
                EventTypes.VehicleEntered => e.Payload.Deserialize(ParkingLotJsonContext.Default.VehicleEntered),
                EventTypes.VehicleExited => e.Payload.Deserialize(ParkingLotJsonContext.Default.VehicleExited),
                EventTypes.PaymentRecorded => e.Payload.Deserialize(ParkingLotJsonContext.Default.PaymentRecorded),
                EventTypes.TicketIssued => e.Payload.Deserialize(ParkingLotJsonContext.Default.TicketIssued),
                EventTypes.GateFault => e.Payload.Deserialize(ParkingLotJsonContext.Default.GateFault),
                EventTypes.BarrierMoved => e.Payload.Deserialize(ParkingLotJsonContext.Default.BarrierMoved),
                EventTypes.AgentStarted => e.Payload.Deserialize(ParkingLotJsonContext.Default.AgentStarted),
                _ => e.Payload,
            };
        }
        catch (JsonException ex)
        {
            return ex.Message;
        }

        return parsed switch
        {
            null => "payload is null",
            OccupancyChanged { SpotId.Length: 0 } => "spotId is empty",
            VehicleExited { Fee: { } fee } when !Money.IsValidCurrency(fee.Currency) => $"fee currency '{fee.Currency}' is not ISO 4217",
            PaymentRecorded { PaymentId.Length: 0 } => "paymentId is empty",
            PaymentRecorded { Amount: var amount } when !Money.IsValidCurrency(amount.Currency) => $"currency '{amount.Currency}' is not ISO 4217",
            _ => null,
        };
    }

    private static bool TryDeserialize<T>(
        ReadOnlyMemory<byte> payload,
        System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out T? value,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
        where T : class
    {
        try
        {
            value = JsonSerializer.Deserialize(payload.Span, typeInfo);
            error = value is null ? "payload is JSON null" : null;
            return value is not null;
        }
        catch (JsonException ex)
        {
            value = null;
            error = ex.Message;
            return false;
        }
    }
}
