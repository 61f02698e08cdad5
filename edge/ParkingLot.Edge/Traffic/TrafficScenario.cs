using System.Text.Json;

namespace ParkingLot.Edge.Traffic;

/// <summary>
/// A day of simulated traffic (hardware/scenarios/*.json), in scenario time: arrival rates per hour
/// of day and vehicle type, and how long vehicles stay. The same seed plays the same arrivals and dwells.
/// </summary>
/// <param name="Name">Shown in logs.</param>
/// <param name="Seed">Seed of the arrival and dwell random numbers.</param>
/// <param name="HourlyProfile">24 multipliers of every base rate, index = local hour of day in the lot's time zone.</param>
/// <param name="VehicleTypes">Base arrivals and dwell per vehicle type name ("car", "ev" …).</param>
/// <param name="DriveInSeconds">From passing the entry barrier to the spot sensor seeing the vehicle.</param>
/// <param name="DriveOutSeconds">From leaving the spot to reaching the exit lane.</param>
/// <param name="PassShare">Share of arrivals holding a reservation pass (scanned at the entry, prepaid at the exit).</param>
/// <param name="PermitShare">Share of arrivals that are permit holders (NFC card), while a permit card is free.</param>
/// <param name="LostTicketShare">Share of walk-ins who lose their ticket and declare it at the exit.</param>
/// <param name="CashShare">Share of kiosk payments made in cash; the rest by card.</param>
/// <param name="QueueLimit">Vehicles waiting at one lane beyond which an arriving vehicle drives past.</param>
internal sealed record TrafficScenario(
    string Name,
    int Seed,
    IReadOnlyList<double> HourlyProfile,
    IReadOnlyDictionary<string, VehicleTraffic> VehicleTypes,
    double DriveInSeconds = 30,
    double DriveOutSeconds = 45,
    double PassShare = 0.1,
    double PermitShare = 0.05,
    double LostTicketShare = 0.02,
    double CashShare = 0.5,
    int QueueLimit = 12)
{
    public static TrafficScenario Load(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            var scenario = JsonSerializer.Deserialize(stream, EdgeJsonContext.Default.TrafficScenario)
                ?? throw new InvalidDataException($"The traffic scenario {path} holds null.");
            var problems = scenario.Validate();
            return problems.Count == 0
                ? scenario
                : throw new InvalidDataException($"The traffic scenario {path} is invalid: {string.Join("; ", problems)}");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"The traffic scenario {path} is invalid: line {(ex.LineNumber ?? 0) + 1}, {ex.Path}: {ex.Message}", ex);
        }
    }

    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (HourlyProfile.Count != 24 || HourlyProfile.Any(m => m < 0 || !double.IsFinite(m)))
        {
            problems.Add("hourlyProfile needs 24 non-negative multipliers");
        }

        foreach (var (type, traffic) in VehicleTypes)
        {
            if (traffic.ArrivalsPerHour < 0 || !double.IsFinite(traffic.ArrivalsPerHour))
            {
                problems.Add($"vehicleTypes.{type}.arrivalsPerHour must be ≥ 0");
            }

            if (traffic.Dwell.MedianMinutes <= 0 || traffic.Dwell.Spread < 0 || traffic.Dwell.MinMinutes < 0 || traffic.Dwell.MaxMinutes < traffic.Dwell.MinMinutes)
            {
                problems.Add($"vehicleTypes.{type}.dwell needs medianMinutes > 0, spread ≥ 0 and 0 ≤ minMinutes ≤ maxMinutes");
            }
        }

        if (DriveInSeconds < 0 || DriveOutSeconds < 0)
        {
            problems.Add("driveInSeconds and driveOutSeconds must be ≥ 0");
        }

        if (new[] { PassShare, PermitShare, LostTicketShare, CashShare }.Any(share => share is < 0 or > 1 || !double.IsFinite(share)) || PassShare + PermitShare > 1)
        {
            problems.Add("passShare, permitShare, lostTicketShare and cashShare must be between 0 and 1, and passShare + permitShare at most 1");
        }

        if (QueueLimit < 1)
        {
            problems.Add("queueLimit must be ≥ 1");
        }

        return problems;
    }
}

/// <summary>Arrivals (a Poisson process) and stay length of one vehicle type.</summary>
internal sealed record VehicleTraffic(double ArrivalsPerHour, DwellDistribution Dwell);

/// <summary>
/// Log-normal stay length: most stays are near <see cref="MedianMinutes"/>, a long tail stays for
/// hours, as in garage surveys; <see cref="Spread"/> is the σ of the underlying normal, and the
/// result is clamped to [<see cref="MinMinutes"/>, <see cref="MaxMinutes"/>].
/// </summary>
internal sealed record DwellDistribution(double MedianMinutes, double Spread, double MinMinutes, double MaxMinutes);
