using ParkingLot.Shared.Contracts;

namespace ParkingLot.Cloud.Search;

/// <summary>Distances on the WGS 84 sphere approximation (haversine), good to ~0.5% — plenty to sort lots by.</summary>
internal static class GeoMath
{
    public const double EarthRadiusMeters = 6_371_008.8;

    public static bool IsValid(GeoPoint point) =>
        double.IsFinite(point.Lat) && double.IsFinite(point.Lng) && point.Lat is >= -90 and <= 90 && point.Lng is >= -180 and <= 180;

    public static double DistanceMeters(GeoPoint a, GeoPoint b)
    {
        var dLat = Radians(b.Lat - a.Lat);
        var dLng = Radians(b.Lng - a.Lng);
        var h = Math.Pow(Math.Sin(dLat / 2), 2) + Math.Cos(Radians(a.Lat)) * Math.Cos(Radians(b.Lat)) * Math.Pow(Math.Sin(dLng / 2), 2);
        return 2 * EarthRadiusMeters * Math.Asin(Math.Min(1, Math.Sqrt(h)));
    }

    /// <summary>
    /// A latitude/longitude box that contains every point within <paramref name="radiusMeters"/> of
    /// <paramref name="center"/>: a cheap prefilter before the exact distance. Near the poles or the
    /// antimeridian the longitude span is the whole circle, so nothing is wrongly dropped.
    /// </summary>
    public static (double MinLat, double MaxLat, double MinLng, double MaxLng, bool AllLongitudes) BoundingBox(GeoPoint center, double radiusMeters)
    {
        var dLat = Degrees(radiusMeters / EarthRadiusMeters);
        var minLat = center.Lat - dLat;
        var maxLat = center.Lat + dLat;
        if (minLat <= -90 || maxLat >= 90)
        {
            return (Math.Max(minLat, -90), Math.Min(maxLat, 90), -180, 180, true);
        }

        var dLng = Degrees(Math.Asin(Math.Min(1, Math.Sin(radiusMeters / EarthRadiusMeters) / Math.Cos(Radians(center.Lat)))));
        var minLng = center.Lng - dLng;
        var maxLng = center.Lng + dLng;
        return minLng < -180 || maxLng > 180 ? (minLat, maxLat, -180, 180, true) : (minLat, maxLat, minLng, maxLng, false);
    }

    private static double Radians(double degrees) => degrees * Math.PI / 180;

    private static double Degrees(double radians) => radians * 180 / Math.PI;
}
