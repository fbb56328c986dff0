using MigCompat.Core.Model;

namespace MigCompat.Discovery.Profiles;

/// <summary>One loaded profile file: which devices it is for and the descriptor it gives them.</summary>
/// <param name="FilePath">The profile file, as shown in inventories and warnings.</param>
/// <param name="Criteria">The <c>[match]</c> criteria.</param>
/// <param name="Descriptor">The <c>[descriptor]</c> section, parsed with the Core descriptor language.</param>
public sealed record DeviceProfile(string FilePath, ProfileCriteria Criteria, Descriptor Descriptor);
