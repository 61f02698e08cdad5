using System.Text.Json;
using Microsoft.Data.Sqlite;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Edge.Ledger;

/// <summary>
/// The lane half of the state tables: <c>lanes</c> (each lane's current cycle, barrier command, fault,
/// tailgates), <c>inside</c> (passes and permits inside, for anti-passback) and <c>gate_counts</c>
/// (vehicles inside by gate count; walk-in occupancy for invariant I2). Runs inside the append
/// transaction, like <see cref="LedgerProjection"/>, so after a power cut the lane tables say exactly
/// what the last committed lane step said; power-on recovery reads them.
/// </summary>
internal sealed class LaneProjection : IDisposable
{
    private readonly SqliteCommand _detected;
    private readonly SqliteCommand _setState;
    private readonly SqliteCommand _admitted;
    private readonly SqliteCommand _barrier;
    private readonly SqliteCommand _passed;
    private readonly SqliteCommand _insideInsert;
    private readonly SqliteCommand _insideKind;
    private readonly SqliteCommand _insideDelete;
    private readonly SqliteCommand _countUp;
    private readonly SqliteCommand _countDown;
    private readonly SqliteCommand _voidSession;
    private readonly SqliteCommand _tailgate;
    private readonly SqliteCommand _fault;
    private readonly SqliteCommand _reversed;

    public LaneProjection(SqliteConnection connection)
    {
        _detected = LedgerProjection.Prepare(connection, """
            INSERT INTO lanes(gate_id, state, cycle_id, updated_seq) VALUES ($gate, 'detected', $cycle, $seq)
            ON CONFLICT(gate_id) DO UPDATE SET
                state = 'detected', cycle_id = excluded.cycle_id, ticket_id = NULL, vehicle_type = NULL,
                credential_kind = NULL, credential_id = NULL, basis = NULL, fee_minor = NULL, fee_currency = NULL,
                tariff_version = NULL, updated_seq = excluded.updated_seq
            """, "$gate", "$cycle", "$seq");
        _setState = LedgerProjection.Prepare(connection, """
            INSERT INTO lanes(gate_id, state, updated_seq) VALUES ($gate, $state, $seq)
            ON CONFLICT(gate_id) DO UPDATE SET state = excluded.state, updated_seq = excluded.updated_seq
            """, "$gate", "$state", "$seq");
        _admitted = LedgerProjection.Prepare(connection, """
            INSERT INTO lanes(gate_id, state, cycle_id, ticket_id, vehicle_type, credential_kind, credential_id, basis, fee_minor, fee_currency, tariff_version, updated_seq)
            VALUES ($gate, 'admitted', $cycle, $ticket, $type, $kind, $credential, $basis, $fee, $currency, $tariff, $seq)
            ON CONFLICT(gate_id) DO UPDATE SET
                state = 'admitted', cycle_id = excluded.cycle_id, ticket_id = excluded.ticket_id, vehicle_type = excluded.vehicle_type,
                credential_kind = excluded.credential_kind, credential_id = excluded.credential_id, basis = excluded.basis,
                fee_minor = excluded.fee_minor, fee_currency = excluded.fee_currency, tariff_version = excluded.tariff_version,
                updated_seq = excluded.updated_seq
            """, "$gate", "$cycle", "$ticket", "$type", "$kind", "$credential", "$basis", "$fee", "$currency", "$tariff", "$seq");

        // A barrier command moves the cycle on: open after an admission, close ends the cycle.
        _barrier = LedgerProjection.Prepare(connection, """
            INSERT INTO lanes(gate_id, state, barrier_open, updated_seq) VALUES ($gate, CASE WHEN $open = 1 THEN 'open' ELSE 'idle' END, $open, $seq)
            ON CONFLICT(gate_id) DO UPDATE SET
                barrier_open = excluded.barrier_open,
                state = CASE WHEN excluded.barrier_open = 1 THEN (CASE WHEN lanes.state = 'admitted' THEN 'open' ELSE lanes.state END) ELSE 'idle' END,
                updated_seq = excluded.updated_seq
            """, "$gate", "$open", "$seq");
        _passed = LedgerProjection.Prepare(connection, """
            UPDATE lanes SET state = 'passed', updated_seq = $seq WHERE gate_id = $gate
            """, "$gate", "$seq");
        _insideInsert = LedgerProjection.Prepare(connection, """
            INSERT OR REPLACE INTO inside(credential_key, kind, credential_id, ticket_id, gate_id, seq)
            SELECT credential_kind || ':' || credential_id, credential_kind, credential_id, ticket_id, gate_id, $seq
            FROM lanes WHERE gate_id = $gate AND ticket_id = $ticket AND credential_kind IN ('pass', 'permit') AND credential_id IS NOT NULL
            """, "$gate", "$ticket", "$seq");
        _insideKind = LedgerProjection.Prepare(connection, "SELECT kind FROM inside WHERE ticket_id = $ticket", "$ticket");
        _insideDelete = LedgerProjection.Prepare(connection, "DELETE FROM inside WHERE ticket_id = $ticket", "$ticket");
        _countUp = LedgerProjection.Prepare(connection, """
            INSERT INTO gate_counts(vehicle_type, basis, inside) VALUES ($type, $basis, 1)
            ON CONFLICT(vehicle_type, basis) DO UPDATE SET inside = inside + 1
            """, "$type", "$basis");
        _countDown = LedgerProjection.Prepare(connection, """
            UPDATE gate_counts SET inside = inside - 1 WHERE vehicle_type = $type AND basis = $basis AND inside > 0
            """, "$type", "$basis");
        _voidSession = LedgerProjection.Prepare(connection, """
            UPDATE sessions SET status = 'void', updated_seq = $seq WHERE ticket_id = $ticket AND status = 'issued'
            """, "$ticket", "$seq");
        _tailgate = LedgerProjection.Prepare(connection, """
            UPDATE lanes SET tailgates = tailgates + 1, updated_seq = $seq WHERE gate_id = $gate
            """, "$gate", "$seq");
        // A reversed arm is up again after a close: the cycle is back at 'passed' (close once the
        // passage is clear), so power-on recovery holds it up while something is under it.
        _reversed = LedgerProjection.Prepare(connection, """
            INSERT INTO lanes(gate_id, state, barrier_open, updated_seq) VALUES ($gate, 'passed', 1, $seq)
            ON CONFLICT(gate_id) DO UPDATE SET
                barrier_open = 1,
                state = CASE WHEN lanes.state = 'idle' THEN 'passed' ELSE lanes.state END,
                updated_seq = excluded.updated_seq
            """, "$gate", "$seq");
        _fault = LedgerProjection.Prepare(connection, """
            INSERT INTO lanes(gate_id, state, fault, updated_seq) VALUES ($gate, 'idle', $fault, $seq)
            ON CONFLICT(gate_id) DO UPDATE SET fault = excluded.fault, barrier_open = 0, updated_seq = excluded.updated_seq
            """, "$gate", "$fault", "$seq");
    }

    /// <summary>Gate-count basis of a vehicle that entered with <paramref name="kind"/>.</summary>
    public static string BasisOf(CredentialKind kind) => kind switch
    {
        CredentialKind.Pass => LaneDecisions.Pass,
        CredentialKind.Permit => LaneDecisions.Permit,
        _ => LaneDecisions.WalkIn,
    };

    public void Apply(long seq, object payload)
    {
        switch (payload)
        {
            case LaneVehicleDetected d:
                LedgerProjection.Run(_detected, d.GateId, d.CycleId, seq);
                break;
            case LaneCredentialChecked c:
                LedgerProjection.Run(_setState, c.GateId, "checked", seq);
                break;
            case LaneRefused r:
                LedgerProjection.Run(_setState, r.GateId, "refused", seq);
                break;
            case LaneAdmitted a:
                LedgerProjection.Run(_admitted, a.GateId, a.CycleId, a.TicketId, LedgerText.Name(a.VehicleType), LedgerText.Name(a.Credential),
                    a.CredentialId, a.Basis, a.Fee?.Minor, a.Fee?.Currency, a.TariffVersion, seq);
                break;
            case BarrierMoved b:
                LedgerProjection.Run(_barrier, b.GateId, b.Open ? 1 : 0, seq);
                break;
            case LaneVehiclePassing p:
                LedgerProjection.Run(_setState, p.GateId, "passing", seq);
                break;
            case VehicleEntered e:
                LedgerProjection.Run(_passed, e.GateId, seq);
                LedgerProjection.Run(_insideInsert, e.GateId, e.TicketId, seq);
                LedgerProjection.Run(_countUp, LedgerText.Name(e.VehicleType), BasisOf(e.Credential));
                break;
            case VehicleExited x:
                LedgerProjection.Run(_passed, x.GateId, seq);
                CountOut(x.VehicleType, InsideKind(x.TicketId));
                LedgerProjection.Run(_insideDelete, x.TicketId);
                break;
            case LaneVehicleWithdrew w:
                LedgerProjection.Run(_setState, w.GateId, "idle", seq);
                if (w.TicketId is not null)
                {
                    LedgerProjection.Run(_voidSession, w.TicketId, seq);
                }

                break;
            case LaneTailgate t:
                LedgerProjection.Run(_tailgate, t.GateId, seq);
                if (t.Entry)
                {
                    LedgerProjection.Run(_countUp, LedgerText.Name(t.AssumedVehicleType), "tailgate");
                }
                else
                {
                    CountOut(t.AssumedVehicleType, "tailgate");
                }

                break;
            case BarrierFault f:
                LedgerProjection.Run(_fault, f.GateId, f.Fault, seq);
                break;
            case BarrierReversed r:
                LedgerProjection.Run(_reversed, r.GateId, seq);
                break;
            case LaneReset r:
                LedgerProjection.Run(_fault, r.GateId, null, seq);
                break;
            default:
                break;
        }
    }

    /// <summary>The typed payload of a stored lane event, for replay; null for other types.</summary>
    public static object? Deserialize(string type, string payloadJson) => type switch
    {
        EventTypes.LaneVehicleDetected => JsonSerializer.Deserialize(payloadJson, ParkingLotJsonContext.Default.LaneVehicleDetected),
        EventTypes.LaneCredentialChecked => JsonSerializer.Deserialize(payloadJson, ParkingLotJsonContext.Default.LaneCredentialChecked),
        EventTypes.LaneAdmitted => JsonSerializer.Deserialize(payloadJson, ParkingLotJsonContext.Default.LaneAdmitted),
        EventTypes.LaneRefused => JsonSerializer.Deserialize(payloadJson, ParkingLotJsonContext.Default.LaneRefused),
        EventTypes.LaneVehiclePassing => JsonSerializer.Deserialize(payloadJson, ParkingLotJsonContext.Default.LaneVehiclePassing),
        EventTypes.LaneVehicleWithdrew => JsonSerializer.Deserialize(payloadJson, ParkingLotJsonContext.Default.LaneVehicleWithdrew),
        EventTypes.LaneTailgate => JsonSerializer.Deserialize(payloadJson, ParkingLotJsonContext.Default.LaneTailgate),
        EventTypes.LaneRecovered => JsonSerializer.Deserialize(payloadJson, ParkingLotJsonContext.Default.LaneRecovered),
        EventTypes.LaneReset => JsonSerializer.Deserialize(payloadJson, ParkingLotJsonContext.Default.LaneReset),
        EventTypes.BarrierFault => JsonSerializer.Deserialize(payloadJson, ParkingLotJsonContext.Default.BarrierFault),
        EventTypes.BarrierReversed => JsonSerializer.Deserialize(payloadJson, ParkingLotJsonContext.Default.BarrierReversed),
        _ => null,
    };

    public void Dispose()
    {
        foreach (var command in new[] { _detected, _setState, _admitted, _barrier, _passed, _insideInsert, _insideKind, _insideDelete, _countUp, _countDown, _voidSession, _tailgate, _fault, _reversed })
        {
            command.Dispose();
        }
    }

    private string? InsideKind(string ticketId)
    {
        _insideKind.Parameters[0].Value = ticketId;
        return _insideKind.ExecuteScalar() as string;
    }

    /// <summary>
    /// One vehicle out. A pass or permit leaves its own bucket; anything else (a ticket, a lost
    /// ticket, an exit tailgater) leaves the walk-in bucket, or the tailgate bucket once walk-ins are
    /// at zero, so walk-in occupancy never goes negative and never stays too high.
    /// </summary>
    private void CountOut(VehicleType vehicleType, string? basis)
    {
        var type = LedgerText.Name(vehicleType);
        if (basis is LaneDecisions.Pass or LaneDecisions.Permit)
        {
            LedgerProjection.Run(_countDown, type, basis);
            return;
        }

        var (first, second) = basis == "tailgate" ? ("tailgate", LaneDecisions.WalkIn) : (LaneDecisions.WalkIn, "tailgate");
        if (LedgerProjection.Run(_countDown, type, first) == 0)
        {
            LedgerProjection.Run(_countDown, type, second);
        }
    }
}
