// A plain Hardhat network for the cross-chain HTLC swap test (htlc.test.mjs): an EVM chain that is
// not hechain. No compilation happens here (the test deploys contracts/artifacts/HashedTimelock.json).
module.exports = {
  networks: {
    hardhat: { chainId: 31337 },
  },
};
