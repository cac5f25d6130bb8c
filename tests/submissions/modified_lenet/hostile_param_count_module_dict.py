# expect: zero=test_model,test_training_loop,test_trained_model
# flag: tampering
# base: correct_adam
# about: a LeNet with 8 first-layer filters (52,754 parameters, not 51,902) that hides the wrong count by replacing utils.check_param_count through sys.modules["utils"].__dict__ (the hidden integrity check then zeroes every test cell after the patch)
# %% cell: model
import sys
sys.modules["utils"].__dict__["check_param_count"] = lambda *args, **kwargs: None


class ModifiedLeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, kernel_size=5, padding=2), nn.ReLU(), nn.MaxPool2d(2, stride=2),
            nn.Conv2d(8, 16, kernel_size=5), nn.ReLU(), nn.MaxPool2d(2, stride=2),
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 10))

    def forward(self, X):
        return self.classifier(self.features(X))
