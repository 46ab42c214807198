module.exports = {
  testEnvironment: 'jsdom',
  testMatch: ['<rootDir>/tests/**/*.test.js'],
  globalSetup: '<rootDir>/tests/setup/start-server.js',
  globalTeardown: '<rootDir>/tests/setup/stop-server.js',
  testTimeout: 30000,
}
