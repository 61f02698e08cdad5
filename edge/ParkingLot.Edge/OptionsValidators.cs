using Microsoft.Extensions.Options;
using ParkingLot.Edge.Sync;
using ParkingLot.Edge.Traffic;

namespace ParkingLot.Edge;

// Compile-time validators for the [Range]/[Required] attributes on the options classes: the same
// checks as ValidateDataAnnotations without reflection, which keeps a trimmed linux-arm64 publish
// safe and needs no extra package.

[OptionsValidator]
internal sealed partial class EdgeOptionsValidator : IValidateOptions<EdgeOptions>;

[OptionsValidator]
internal sealed partial class SyncOptionsAttributesValidator : IValidateOptions<SyncOptions>;

[OptionsValidator]
internal sealed partial class TrafficOptionsValidator : IValidateOptions<TrafficOptions>;
