using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using ParkingLot.Shared;
using ParkingLot.Shared.Contracts;

namespace ParkingLot.Edge.Ledger;

/// <summary>
/// Keeps the derived state tables (sessions, spots, payments) in step with the events. It runs inside
/// the append transaction, so state and events can never disagree after a crash. Prepared commands
/// are created once per writer connection: the append path is the hot path of the agent.
/// </summary>
internal sealed class LedgerProjection : IDisposable
{
    private readonly SqliteCommand _ticketIssued;
    private readonly SqliteCommand _vehicleEntered;
    private readonly SqliteCommand _vehicleExited;
    private readonly SqliteCommand _occupancyChanged;
    private readonly SqliteCommand _paymentRecorded;
    private readonly LaneProjection _lanes;

    public LedgerProjection(SqliteConnection connection)
    {
        _lanes = new LaneProjection(connection);
        _ticketIssued = Prepare(connection, """
            INSERT INTO sessions(ticket_id, vehicle_type, status, entry_gate, code, issued_at, updated_seq)
            VALUES ($ticket, $type, 'issued', $gate, $code, $at, $seq)
            ON CONFLICT(ticket_id) DO UPDATE SET
                code = excluded.code, issued_at = excluded.issued_at,
                entry_gate = coalesce(sessions.entry_gate, excluded.entry_gate), updated_seq = excluded.updated_seq
            """, "$ticket", "$type", "$gate", "$code", "$at", "$seq");
        _vehicleEntered = Prepare(connection, """
            INSERT INTO sessions(ticket_id, vehicle_type, status, entry_gate, entered_at, updated_seq)
            VALUES ($ticket, $type, 'open', $gate, $at, $seq)
            ON CONFLICT(ticket_id) DO UPDATE SET
                status = CASE WHEN sessions.status = 'closed' THEN 'closed' ELSE 'open' END,
                entry_gate = excluded.entry_gate, entered_at = excluded.entered_at, updated_seq = excluded.updated_seq
            """, "$ticket", "$type", "$gate", "$at", "$seq");
        _vehicleExited = Prepare(connection, """
            INSERT INTO sessions(ticket_id, vehicle_type, status, exit_gate, exited_at, fee_minor, fee_currency, tariff_version, updated_seq)
            VALUES ($ticket, $type, 'closed', $gate, $at, $fee, $currency, $tariff, $seq)
            ON CONFLICT(ticket_id) DO UPDATE SET
                status = 'closed', exit_gate = excluded.exit_gate, exited_at = excluded.exited_at,
                fee_minor = excluded.fee_minor, fee_currency = excluded.fee_currency,
                tariff_version = excluded.tariff_version, updated_seq = excluded.updated_seq
            """, "$ticket", "$type", "$gate", "$at", "$fee", "$currency", "$tariff", "$seq");
        _occupancyChanged = Prepare(connection, """
            INSERT INTO spots(spot_id, vehicle_type, sensor_id, occupied, changed_at, updated_seq)
            VALUES ($spot, $type, $sensor, $occupied, $at, $seq)
            ON CONFLICT(spot_id) DO UPDATE SET
                vehicle_type = excluded.vehicle_type, sensor_id = excluded.sensor_id, occupied = excluded.occupied,
                changed_at = excluded.changed_at, updated_seq = excluded.updated_seq
            """, "$spot", "$type", "$sensor", "$occupied", "$at", "$seq");
        _paymentRecorded = Prepare(connection, """
            INSERT INTO payments(payment_id, ticket_id, amount_minor, currency, method, tariff_version, recorded_at, seq)
            VALUES ($payment, $ticket, $amount, $currency, $method, $tariff, $at, $seq)
            """, "$payment", "$ticket", "$amount", "$currency", "$method", "$tariff", "$at", "$seq");
    }

    /// <summary>Applies one event's effect on the state tables; types without state are ignored.</summary>
    public void Apply(long seq, DateTimeOffset occurredAt, object payload)
    {
        var at = LedgerText.Time(occurredAt);
        switch (payload)
        {
            case TicketIssued t:
                Run(_ticketIssued, t.TicketId, LedgerText.Name(t.VehicleType), t.GateId, t.Code, LedgerText.Time(t.IssuedAt), seq);
                break;
            case VehicleEntered e:
                Run(_vehicleEntered, e.TicketId, LedgerText.Name(e.VehicleType), e.GateId, at, seq);
                break;
            case VehicleExited x:
                Run(_vehicleExited, x.TicketId, LedgerText.Name(x.VehicleType), x.GateId, at, x.Fee?.Minor, x.Fee?.Currency, x.TariffVersion, seq);
                break;
            case OccupancyChanged o:
                Run(_occupancyChanged, o.SpotId, LedgerText.Name(o.VehicleType), o.SensorId, o.Occupied ? 1 : 0, at, seq);
                break;
            case PaymentRecorded p:
                Run(_paymentRecorded, p.PaymentId, p.TicketId, p.Amount.Minor, p.Amount.Currency, LedgerText.Name(p.Method), p.TariffVersion, at, seq);
                break;
            default:
                break;
        }

        _lanes.Apply(seq, payload);
    }

    /// <summary>The typed payload of a stored event, for replay; null for types without state.</summary>
    public static object? Deserialize(string type, string payloadJson) => type switch
    {
        EventTypes.TicketIssued => JsonSerializer.Deserialize(payloadJson, ParkingLotJsonContext.Default.TicketIssued),
        EventTypes.VehicleEntered => JsonSerializer.Deserialize(payloadJson, ParkingLotJsonContext.Default.VehicleEntered),
        EventTypes.VehicleExited => JsonSerializer.Deserialize(payloadJson, ParkingLotJsonContext.Default.VehicleExited),
        EventTypes.OccupancyChanged => JsonSerializer.Deserialize(payloadJson, ParkingLotJsonContext.Default.OccupancyChanged),
        EventTypes.PaymentRecorded => JsonSerializer.Deserialize(payloadJson, ParkingLotJsonContext.Default.PaymentRecorded),
        EventTypes.BarrierMoved => JsonSerializer.Deserialize(payloadJson, ParkingLotJsonContext.Default.BarrierMoved),
        _ => LaneProjection.Deserialize(type, payloadJson),
    };

    public void Dispose()
    {
        _ticketIssued.Dispose();
        _vehicleEntered.Dispose();
        _vehicleExited.Dispose();
        _occupancyChanged.Dispose();
        _paymentRecorded.Dispose();
        _lanes.Dispose();
    }

    internal static SqliteCommand Prepare(SqliteConnection connection, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        command.Prepare();
        return command;
    }

    internal static int Run(SqliteCommand command, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }

        return command.ExecuteNonQuery();
    }
}

/// <summary>How enum and time values are written to ledger columns: the same text the JSON contracts use.</summary>
internal static class LedgerText
{
    public static string Time(DateTimeOffset value) => value.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    public static DateTimeOffset ParseTime(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    public static string Name<TEnum>(TEnum value)
        where TEnum : struct, Enum => WireNames.Of(value);

    public static TEnum Parse<TEnum>(string text)
        where TEnum : struct, Enum => Enum.Parse<TEnum>(text, ignoreCase: true);

    public static Money? Money(long? minor, string? currency) =>
        minor is { } m && currency is { } c ? new Money(m, c) : null;
}
