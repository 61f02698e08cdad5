using System.ComponentModel.DataAnnotations;

namespace ParkingLot.Cloud.Storage;

/// <summary>Where the embedded store keeps its files (configuration section <c>Storage</c>).</summary>
internal sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>
    /// Folder of the embedded SQLite store (<c>cloud.db</c>, WAL mode). Relative paths resolve against
    /// the working directory. Default <c>./.data/cloud</c>.
    /// </summary>
    [Required]
    public string DataDirectory { get; set; } = "./.data/cloud";
}
