/** Names of the security roles and field security profiles (DESIGN.md §5); the build checks them against `solution/`. */
export const SecurityNames = {
  agentRole: "LogMeIn Rescue Agent",
  integrationRole: "LogMeIn Integration User",
  integrationFieldProfile: "LogMeIn Rescue Integration",
  adminFieldProfile: "LogMeIn Rescue Administrator",
} as const;
