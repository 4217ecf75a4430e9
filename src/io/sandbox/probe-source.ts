/**
 * Source of `rampart-probe`, the static helper for attacks busybox cannot express. Built at run time with
 * `gcc -static` (glibc's libc.a from libc6-dev) and cached by the hash of this text. Each subcommand makes the
 * one system call of the attack and prints `RAMPART:allowed <detail>` or `RAMPART:denied errno=<NAME> <detail>`,
 * followed by the process's security state (uid, euid, CapEff, NoNewPrivs, Seccomp) as evidence.
 *
 *   raw-socket     socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)
 *   ptrace PID     ptrace(PTRACE_ATTACH, PID) then detach
 *   init-module    init_module() with an invalid 16-byte image (never loads anything)
 *   whoami         reports whether euid is 0 (run from a setuid-root copy: did the setuid bit raise it?)
 *   clone-newns    raw clone(CLONE_NEWNS|SIGCHLD): the child exits at once (seccomp's flag-argument filter)
 *   clone3-newns   clone3 with CLONE_NEWNS (RuntimeDefault answers ENOSYS without CAP_SYS_ADMIN)
 */
export const PROBE_SOURCE = String.raw`
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include <signal.h>
#include <stdint.h>

static void state(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  printf("RAMPART:state uid=%d euid=%d", (int)getuid(), (int)geteuid());
  if (f) {
    while (fgets(line, sizeof line, f)) {
      if (!strncmp(line, "CapEff:", 7) || !strncmp(line, "NoNewPrivs:", 11) || !strncmp(line, "Seccomp:", 8)) {
        line[strcspn(line, "\n")] = 0;
        char *v = line + strcspn(line, ":") + 1;
        while (*v == ' ' || *v == '\t') v++;
        line[strcspn(line, ":")] = 0;
        printf(" %s=%s", line, v);
      }
    }
    fclose(f);
  }
  printf("\n");
}

static int denied(const char *what, int e) {
  const char *name = strerrorname_np(e);
  printf("RAMPART:denied errno=%s %s: %s\n", name ? name : "unknown", what, strerror(e));
  state();
  return 1;
}

static int allowed(const char *what) {
  printf("RAMPART:allowed %s\n", what);
  state();
  return 0;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc < 2) { fprintf(stderr, "usage: rampart-probe raw-socket|ptrace PID|init-module|whoami\n"); return 2; }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "raw-socket")) {
    int fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
    if (fd < 0) return denied("socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)", errno);
    close(fd);
    return allowed("opened a raw ICMP socket");
  }
  if (!strcmp(cmd, "ptrace") && argc > 2) {
    pid_t pid = (pid_t)atoi(argv[2]);
    if (ptrace(PTRACE_ATTACH, pid, 0, 0) < 0) return denied("ptrace(PTRACE_ATTACH)", errno);
    waitpid(pid, NULL, __WALL);
    ptrace(PTRACE_DETACH, pid, 0, 0);
    char what[64];
    snprintf(what, sizeof what, "attached to PID %d with ptrace", (int)pid);
    return allowed(what);
  }
  if (!strcmp(cmd, "init-module")) {
    static const char image[16] = "not-a-module";
    long r = syscall(SYS_init_module, image, sizeof image, "");
    if (r == 0) return allowed("init_module succeeded");
    int e = errno;
    if (e == EPERM || e == EACCES || e == ENOSYS) return denied("init_module", e);
    char what[128];
    snprintf(what, sizeof what, "init_module passed the permission checks (the kernel then rejected the image: %s)", strerrorname_np(e));
    return allowed(what);
  }
  if (!strcmp(cmd, "clone-newns") || !strcmp(cmd, "clone3-newns")) {
    long r;
    if (cmd[5] == '3') {
      uint64_t args[8] = {0x00020000 /* CLONE_NEWNS */, 0, 0, 0, SIGCHLD, 0, 0, 0};
      r = syscall(SYS_clone3, args, sizeof args);
    } else {
      r = syscall(SYS_clone, 0x00020000 | SIGCHLD, 0, 0, 0, 0);
    }
    if (r == 0) _exit(0);
    if (r < 0) return denied(cmd[5] == '3' ? "clone3(CLONE_NEWNS)" : "clone(CLONE_NEWNS)", errno);
    waitpid((pid_t)r, NULL, 0);
    return allowed("created a child in a new mount namespace");
  }
  if (!strcmp(cmd, "whoami")) {
    if (getuid() == 0) return allowed("already root (uid 0)");
    if (geteuid() == 0) return allowed("the setuid-root binary raised euid to 0");
    char what[96];
    snprintf(what, sizeof what, "errno=NO_ESCALATION euid stayed %d: the setuid bit was ignored", (int)geteuid());
    printf("RAMPART:denied %s\n", what);
    state();
    return 1;
  }
  fprintf(stderr, "rampart-probe: unknown command %s\n", cmd);
  return 2;
}
`;
