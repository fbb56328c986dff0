/*
 * A fake libnvidia-ml.so.1 for MigCompat's tests: just the NVML functions the scan calls, with the
 * struct layouts of nvml.h, answering from a config file. Never a real GPU.
 *
 * The config is "fake-nvml.conf" in the directory the library was loaded from (each test copies the
 * library into its own directory, so tests running at the same time do not share state). Every call
 * is appended to "calls.log" there, one function name a line, so tests can check what was called.
 *
 * Config lines ('#' starts a comment; numbers in C notation, e.g. 0x120001):
 *   init_rc N                                  what nvmlInit_v2 returns (default 0)
 *   opaque N                                   opaque bytes the metadata calls add (default 64): a buffer
 *                                              of the plain struct size gets NVML_ERROR_INSUFFICIENT_SIZE
 *                                              and the needed size first, as the real library does
 *   gpu BUSID [handle_rc=N] [range=MIN-MAX] [caps=N] [meta_rc=N] [ecc=0|1] [ecc_rc=N] [active_rc=N]
 *   vgpu BUSID id=N [mdev=UUID] [uuid_rc=N] [state=0|1] [version=N] [caps=N] [meta_rc=N]
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SUCCESS 0
#define ERROR_INVALID_ARGUMENT 2
#define ERROR_NOT_FOUND 6
#define ERROR_INSUFFICIENT_SIZE 7
#define DRIVER_VERSION_SIZE 80
#define MAX_GPUS 16
#define MAX_VGPUS 64

typedef struct { unsigned int minVersion, maxVersion; } VgpuVersion;

typedef struct
{
    unsigned int version;
    unsigned int revision;
    int guestInfoState;
    char guestDriverVersion[DRIVER_VERSION_SIZE];
    char hostDriverVersion[DRIVER_VERSION_SIZE];
    unsigned int reserved[6];
    unsigned int vgpuVirtualizationCaps;
    unsigned int guestVgpuVersion;
    unsigned int opaqueDataSize;
    char opaqueData[4];
} VgpuMetadata;

typedef struct
{
    unsigned int version;
    unsigned int revision;
    char hostDriverVersion[DRIVER_VERSION_SIZE];
    unsigned int pgpuVirtualizationCaps;
    unsigned int reserved[5];
    VgpuVersion hostSupportedVgpuRange;
    unsigned int opaqueDataSize;
    char opaqueData[4];
} PgpuMetadata;

/* The offsets MigCompat reads (src/MigCompat.Discovery/Nvidia/Nvml.cs). */
_Static_assert(offsetof(VgpuMetadata, guestInfoState) == 8, "nvmlVgpuMetadata_t.guestInfoState");
_Static_assert(offsetof(VgpuMetadata, vgpuVirtualizationCaps) == 196, "nvmlVgpuMetadata_t.vgpuVirtualizationCaps");
_Static_assert(offsetof(VgpuMetadata, guestVgpuVersion) == 200, "nvmlVgpuMetadata_t.guestVgpuVersion");
_Static_assert(sizeof(VgpuMetadata) == 212, "sizeof(nvmlVgpuMetadata_t)");
_Static_assert(offsetof(PgpuMetadata, pgpuVirtualizationCaps) == 88, "nvmlVgpuPgpuMetadata_t.pgpuVirtualizationCaps");
_Static_assert(offsetof(PgpuMetadata, hostSupportedVgpuRange) == 112, "nvmlVgpuPgpuMetadata_t.hostSupportedVgpuRange");
_Static_assert(sizeof(PgpuMetadata) == 128, "sizeof(nvmlVgpuPgpuMetadata_t)");

typedef struct
{
    unsigned int domain, bus, device, function;
    int handle_rc, meta_rc, ecc, ecc_rc, active_rc;
    unsigned int caps;
    VgpuVersion range;
} Gpu;

typedef struct
{
    int gpu;
    unsigned int id;
    char mdev[80];
    int uuid_rc, state, meta_rc;
    unsigned int version, caps;
} Vgpu;

static Gpu gpus[MAX_GPUS];
static int gpuCount;
static Vgpu vgpus[MAX_VGPUS];
static int vgpuCount;
static int initRc;
static unsigned int opaqueBytes = 64;
static char directory[4096];

static void locate(void)
{
    Dl_info info;
    if (directory[0] == '\0' && dladdr((void *)locate, &info) && info.dli_fname != NULL)
    {
        snprintf(directory, sizeof directory, "%s", info.dli_fname);
        char *slash = strrchr(directory, '/');
        if (slash != NULL)
        {
            *slash = '\0';
        }
        else
        {
            strcpy(directory, ".");
        }
    }
}

static void logCall(const char *name)
{
    char path[4200];
    locate();
    snprintf(path, sizeof path, "%s/calls.log", directory);
    FILE *log = fopen(path, "a");
    if (log != NULL)
    {
        fprintf(log, "%s\n", name);
        fclose(log);
    }
}

static int parseBusId(const char *text, unsigned int *d, unsigned int *b, unsigned int *s, unsigned int *f)
{
    return sscanf(text, "%x:%x:%x.%x", d, b, s, f) == 4;
}

static int findGpu(const char *busId)
{
    unsigned int d, b, s, f;
    if (!parseBusId(busId, &d, &b, &s, &f))
    {
        return -1;
    }

    for (int i = 0; i < gpuCount; i++)
    {
        if (gpus[i].domain == d && gpus[i].bus == b && gpus[i].device == s && gpus[i].function == f)
        {
            return i;
        }
    }

    return -1;
}

static long number(const char *text)
{
    return strtol(text, NULL, 0);
}

static void readConfig(void)
{
    char path[4200];
    char line[1024];
    gpuCount = 0;
    vgpuCount = 0;
    initRc = 0;
    opaqueBytes = 64;
    locate();
    snprintf(path, sizeof path, "%s/fake-nvml.conf", directory);
    FILE *config = fopen(path, "r");
    if (config == NULL)
    {
        return;
    }

    while (fgets(line, sizeof line, config) != NULL)
    {
        char *hash = strchr(line, '#');
        if (hash != NULL)
        {
            *hash = '\0';
        }

        char *save = NULL;
        char *kind = strtok_r(line, " \t\r\n", &save);
        if (kind == NULL)
        {
            continue;
        }

        if (strcmp(kind, "init_rc") == 0 || strcmp(kind, "opaque") == 0)
        {
            char *value = strtok_r(NULL, " \t\r\n", &save);
            if (value != NULL && kind[0] == 'i')
            {
                initRc = (int)number(value);
            }
            else if (value != NULL)
            {
                opaqueBytes = (unsigned int)number(value);
            }

            continue;
        }

        char *busId = strtok_r(NULL, " \t\r\n", &save);
        if (busId == NULL)
        {
            continue;
        }

        if (strcmp(kind, "gpu") == 0 && gpuCount < MAX_GPUS)
        {
            Gpu *gpu = &gpus[gpuCount++];
            memset(gpu, 0, sizeof *gpu);
            parseBusId(busId, &gpu->domain, &gpu->bus, &gpu->device, &gpu->function);
            for (char *token; (token = strtok_r(NULL, " \t\r\n", &save)) != NULL;)
            {
                char *value = strchr(token, '=');
                if (value == NULL)
                {
                    continue;
                }

                *value++ = '\0';
                if (strcmp(token, "handle_rc") == 0) gpu->handle_rc = (int)number(value);
                else if (strcmp(token, "meta_rc") == 0) gpu->meta_rc = (int)number(value);
                else if (strcmp(token, "ecc") == 0) gpu->ecc = (int)number(value);
                else if (strcmp(token, "ecc_rc") == 0) gpu->ecc_rc = (int)number(value);
                else if (strcmp(token, "active_rc") == 0) gpu->active_rc = (int)number(value);
                else if (strcmp(token, "caps") == 0) gpu->caps = (unsigned int)number(value);
                else if (strcmp(token, "range") == 0)
                {
                    char *dash = strchr(value, '-');
                    gpu->range.minVersion = (unsigned int)number(value);
                    gpu->range.maxVersion = dash == NULL ? 0 : (unsigned int)number(dash + 1);
                }
            }
        }
        else if (strcmp(kind, "vgpu") == 0 && vgpuCount < MAX_VGPUS)
        {
            Vgpu *vgpu = &vgpus[vgpuCount++];
            memset(vgpu, 0, sizeof *vgpu);
            vgpu->gpu = findGpu(busId);
            for (char *token; (token = strtok_r(NULL, " \t\r\n", &save)) != NULL;)
            {
                char *value = strchr(token, '=');
                if (value == NULL)
                {
                    continue;
                }

                *value++ = '\0';
                if (strcmp(token, "id") == 0) vgpu->id = (unsigned int)number(value);
                else if (strcmp(token, "mdev") == 0) snprintf(vgpu->mdev, sizeof vgpu->mdev, "%s", value);
                else if (strcmp(token, "uuid_rc") == 0) vgpu->uuid_rc = (int)number(value);
                else if (strcmp(token, "state") == 0) vgpu->state = (int)number(value);
                else if (strcmp(token, "version") == 0) vgpu->version = (unsigned int)number(value);
                else if (strcmp(token, "caps") == 0) vgpu->caps = (unsigned int)number(value);
                else if (strcmp(token, "meta_rc") == 0) vgpu->meta_rc = (int)number(value);
            }
        }
    }

    fclose(config);
}

static Vgpu *findVgpu(unsigned int id)
{
    for (int i = 0; i < vgpuCount; i++)
    {
        if (vgpus[i].id == id)
        {
            return &vgpus[i];
        }
    }

    return NULL;
}

int nvmlInit_v2(void)
{
    logCall("nvmlInit_v2");
    readConfig();
    return initRc;
}

int nvmlShutdown(void)
{
    logCall("nvmlShutdown");
    return SUCCESS;
}

int nvmlDeviceGetHandleByPciBusId_v2(const char *busId, void **device)
{
    logCall("nvmlDeviceGetHandleByPciBusId_v2");
    int index = findGpu(busId);
    if (index < 0)
    {
        return ERROR_NOT_FOUND;
    }

    if (gpus[index].handle_rc != SUCCESS)
    {
        return gpus[index].handle_rc;
    }

    *device = &gpus[index];
    return SUCCESS;
}

int nvmlDeviceGetEccMode(void *device, int *current, int *pending)
{
    logCall("nvmlDeviceGetEccMode");
    Gpu *gpu = device;
    if (gpu->ecc_rc != SUCCESS)
    {
        return gpu->ecc_rc;
    }

    *current = gpu->ecc;
    *pending = gpu->ecc;
    return SUCCESS;
}

int nvmlDeviceGetVgpuMetadata(void *device, PgpuMetadata *metadata, unsigned int *bufferSize)
{
    logCall("nvmlDeviceGetVgpuMetadata");
    Gpu *gpu = device;
    if (bufferSize == NULL)
    {
        return ERROR_INVALID_ARGUMENT;
    }

    if (gpu->meta_rc != SUCCESS)
    {
        return gpu->meta_rc;
    }

    unsigned int needed = (unsigned int)offsetof(PgpuMetadata, opaqueData) + opaqueBytes;
    if (*bufferSize < needed || metadata == NULL)
    {
        *bufferSize = needed;
        return ERROR_INSUFFICIENT_SIZE;
    }

    memset(metadata, 0, needed);
    metadata->version = 1;
    metadata->revision = 1;
    snprintf(metadata->hostDriverVersion, DRIVER_VERSION_SIZE, "%s", "550.90.05");
    metadata->pgpuVirtualizationCaps = gpu->caps;
    metadata->hostSupportedVgpuRange = gpu->range;
    metadata->opaqueDataSize = opaqueBytes;
    memset(metadata->opaqueData, 0xab, opaqueBytes);
    *bufferSize = needed;
    return SUCCESS;
}

int nvmlDeviceGetActiveVgpus(void *device, unsigned int *vgpuCount_, unsigned int *vgpuInstances)
{
    logCall("nvmlDeviceGetActiveVgpus");
    Gpu *gpu = device;
    if (gpu->active_rc != SUCCESS)
    {
        return gpu->active_rc;
    }

    int index = (int)(gpu - gpus);
    unsigned int count = 0;
    for (int i = 0; i < vgpuCount; i++)
    {
        count += vgpus[i].gpu == index;
    }

    if (count == 0)
    {
        *vgpuCount_ = 0;
        return SUCCESS;
    }

    if (*vgpuCount_ < count || vgpuInstances == NULL)
    {
        *vgpuCount_ = count;
        return ERROR_INSUFFICIENT_SIZE;
    }

    unsigned int written = 0;
    for (int i = 0; i < vgpuCount; i++)
    {
        if (vgpus[i].gpu == index)
        {
            vgpuInstances[written++] = vgpus[i].id;
        }
    }

    *vgpuCount_ = count;
    return SUCCESS;
}

int nvmlVgpuInstanceGetMdevUUID(unsigned int vgpuInstance, char *mdevUuid, unsigned int size)
{
    logCall("nvmlVgpuInstanceGetMdevUUID");
    Vgpu *vgpu = findVgpu(vgpuInstance);
    if (vgpu == NULL)
    {
        return ERROR_NOT_FOUND;
    }

    if (vgpu->uuid_rc != SUCCESS)
    {
        return vgpu->uuid_rc;
    }

    if (size <= strlen(vgpu->mdev))
    {
        return ERROR_INSUFFICIENT_SIZE;
    }

    strcpy(mdevUuid, vgpu->mdev);
    return SUCCESS;
}

int nvmlVgpuInstanceGetMetadata(unsigned int vgpuInstance, VgpuMetadata *metadata, unsigned int *bufferSize)
{
    logCall("nvmlVgpuInstanceGetMetadata");
    Vgpu *vgpu = findVgpu(vgpuInstance);
    if (vgpu == NULL)
    {
        return ERROR_NOT_FOUND;
    }

    if (vgpu->meta_rc != SUCCESS)
    {
        return vgpu->meta_rc;
    }

    unsigned int needed = (unsigned int)offsetof(VgpuMetadata, opaqueData) + opaqueBytes;
    if (*bufferSize < needed || metadata == NULL)
    {
        *bufferSize = needed;
        return ERROR_INSUFFICIENT_SIZE;
    }

    memset(metadata, 0, needed);
    metadata->version = 1;
    metadata->revision = 1;
    metadata->guestInfoState = vgpu->state;
    snprintf(metadata->guestDriverVersion, DRIVER_VERSION_SIZE, "%s", vgpu->state ? "550.90.07" : "Not Available");
    snprintf(metadata->hostDriverVersion, DRIVER_VERSION_SIZE, "%s", "550.90.05");
    metadata->vgpuVirtualizationCaps = vgpu->caps;
    metadata->guestVgpuVersion = vgpu->state ? vgpu->version : 0;
    metadata->opaqueDataSize = opaqueBytes;
    memset(metadata->opaqueData, 0xcd, opaqueBytes);
    *bufferSize = needed;
    return SUCCESS;
}
