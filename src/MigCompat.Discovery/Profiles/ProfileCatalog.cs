using System.Collections.Immutable;
using MigCompat.Discovery.Diagnostics;

namespace MigCompat.Discovery.Profiles;

/// <summary>Finds the profile for a device during a scan: the first matching one in file-name order.</summary>
internal sealed class ProfileCatalog(ImmutableArray<DeviceProfile> profiles, ScanWarnings warnings)
{
    public DeviceProfile? Find(ProfileSubject subject)
    {
        DeviceProfile? chosen = null;
        foreach (var profile in profiles)
        {
            if (!profile.Criteria.Matches(subject))
            {
                continue;
            }

            if (chosen is null)
            {
                chosen = profile;
            }
            else
            {
                warnings.Add(SysfsWarningCodes.ProfileAmbiguous, profile.FilePath, $"matches devices that {chosen.FilePath} also matches; only the first in file-name order ({chosen.FilePath}) is used, narrow one [match] section");
            }
        }

        return chosen;
    }
}
