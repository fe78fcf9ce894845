-- One shared dictionary for the whole process: every route and every event loop counts into it.
return {
  shared = { limits = "1mb" },
}
