// A hint for spin-wait loops: lets the sibling hyperthread run and saves power while a worker waits for work.
#ifndef SLM_SPIN_H
#define SLM_SPIN_H

#if defined(__x86_64__) || defined(__i386__)
static inline void slm_spin_pause(void) { __builtin_ia32_pause(); }
#elif defined(__aarch64__)
static inline void slm_spin_pause(void) { __asm__ __volatile__("yield"); }
#else
static inline void slm_spin_pause(void) {}
#endif

#endif
